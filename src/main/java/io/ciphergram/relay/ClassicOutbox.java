package io.ciphergram.relay;

import java.util.Arrays;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.Outbox;

/**
 * How a classic participant is reached: each line sealed under its session key with a fresh IV, base64,
 * one datagram each. A line longer than one datagram holds (a v2 sender's may be 64 KiB) goes in parts of
 * at most {@link ClassicCodec#MAX_TEXT_BYTES}, never cut inside a character.
 */
final class ClassicOutbox implements Outbox {

    private final PeerId peer;
    private final SessionKey key;
    private final ClassicMessageCipher cipher;
    private final Transports transports;

    ClassicOutbox(PeerId peer, SessionKey key, ClassicMessageCipher cipher, Transports transports) {
        this.peer = peer;
        this.key = key;
        this.cipher = cipher;
        this.transports = transports;
    }

    @Override
    public boolean send(byte[] utf8) {
        boolean sent = true;
        int start = 0;
        do {
            int end = Math.min(utf8.length, start + ClassicCodec.MAX_TEXT_BYTES);
            while (end < utf8.length && (utf8[end] & 0xC0) == 0x80) {
                end--; // back off a continuation byte: cut before the character it belongs to
            }
            byte[] part = start == 0 && end == utf8.length ? utf8 : Arrays.copyOfRange(utf8, start, end);
            sent &= transports.send(peer, ClassicCodec.encode(new ClassicFrame.Sealed(cipher.seal(key, part))));
            start = end;
        } while (start < utf8.length);
        return sent;
    }

    /** The classic format has no way to say goodbye. */
    @Override
    public void close() {
    }
}
