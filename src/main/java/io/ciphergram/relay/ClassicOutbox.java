package io.ciphergram.relay;

import java.util.Arrays;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Outbox;
import io.ciphergram.session.SessionRegistry;

/**
 * How a classic participant is reached: each line sealed under its session key with a fresh IV, base64,
 * one datagram each. A line longer than one datagram holds (a v2 sender's may be 64 KiB) goes in parts of
 * at most {@link ClassicCodec#MAX_TEXT_BYTES}, never cut inside a character. Every ciphertext block sent is
 * remembered so that it is never accepted back as input; to a session that has not proven its address,
 * each datagram is paid from its source's credit, or withheld and counted.
 */
final class ClassicOutbox implements Outbox {

    private final ClassicSession session;
    private final ClassicMessageCipher cipher;
    private final Transports transports;
    private final SessionRegistry sessions;
    private final Counters counters;

    ClassicOutbox(ClassicSession session, ClassicMessageCipher cipher, Transports transports, SessionRegistry sessions,
            Counters counters) {
        this.session = session;
        this.cipher = cipher;
        this.transports = transports;
        this.sessions = sessions;
        this.counters = counters;
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
            sent &= sendPart(part);
            start = end;
        } while (start < utf8.length);
        return sent;
    }

    private boolean sendPart(byte[] part) {
        byte[] sealed = cipher.seal(session.key(), part);
        byte[] datagram = ClassicCodec.encode(new ClassicFrame.Sealed(sealed));
        if (!session.proven() && !sessions.spend(session.peer(), datagram.length)) {
            counters.withheld();
            return false;
        }
        session.sentBlocks().record(sealed);
        return transports.send(session.peer(), datagram);
    }

    /** The classic format has no way to say goodbye. */
    @Override
    public void close() {
    }
}
