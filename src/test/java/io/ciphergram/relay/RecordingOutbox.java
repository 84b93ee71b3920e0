package io.ciphergram.relay;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.ciphergram.session.Delivery;
import io.ciphergram.session.Outbox;

/**
 * An outbox that keeps what a participant was sent (each delivery, and its text line as a text client reads
 * it, times in UTC), and can be told to refuse.
 */
final class RecordingOutbox implements Outbox {

    private static final TextLines TEXT = new TextLines(ZoneOffset.UTC);

    final List<String> lines = new ArrayList<>();
    final List<Delivery> deliveries = new ArrayList<>();
    boolean refusing;
    boolean closed;

    @Override
    public boolean deliver(Delivery delivery) {
        if (refusing) {
            return false;
        }
        deliveries.add(delivery);
        String line = TEXT.text(delivery);
        if (line != null) {
            lines.add(line);
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
    }
}
