package io.ciphergram.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.ciphergram.session.Outbox;

/** An outbox that keeps the lines a participant was sent, and can be told to refuse them. */
final class RecordingOutbox implements Outbox {

    final List<String> lines = new ArrayList<>();
    boolean refusing;
    boolean closed;

    @Override
    public boolean send(byte[] utf8) {
        if (refusing) {
            return false;
        }
        lines.add(new String(utf8, StandardCharsets.UTF_8));
        return true;
    }

    @Override
    public void close() {
        closed = true;
    }
}
