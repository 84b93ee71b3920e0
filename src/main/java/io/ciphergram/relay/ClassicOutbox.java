package io.ciphergram.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Delivery;
import io.ciphergram.session.Outbox;
import io.ciphergram.session.SentBlocks;
import io.ciphergram.session.SessionRegistry;

/**
 * How a classic participant is reached: each line sealed under its session key with a fresh IV, base64,
 * one datagram each. A line longer than one datagram holds (a v2 sender's may be 64 KiB) goes in parts of
 * at most {@link ClassicCodec#MAX_TEXT_BYTES}, never cut inside a character. Every ciphertext block sent is
 * remembered for the session's life, so that it is never accepted back as input ({@link SentBlocks}); that
 * bounds what a session may be sent, so each sender may use a quarter of it at most, and a session that
 * reaches the bound is told so and ends. To a session that has not proven its address, each datagram is
 * paid from its source's credit, or withheld and counted.
 */
final class ClassicOutbox implements Outbox {

    /** The last thing a session that reached its bound is sent (room is kept for it). */
    static final String BOUND_REACHED = "* this session has been sent all it safely can (the original format cannot"
            + " tell the server's words from yours); start your client again to go on";
    private static final byte[] BOUND_REACHED_UTF8 = BOUND_REACHED.getBytes(StandardCharsets.UTF_8);
    /** Blocks kept back so that {@link #BOUND_REACHED} can always be sent. */
    static final int RESERVED_BLOCKS = blocksOf(BOUND_REACHED_UTF8.length);

    private final ClassicSession session;
    private final ClassicMessageCipher cipher;
    private final Transports transports;
    private final SessionRegistry sessions;
    private final Counters counters;
    private final Departures departures;
    private final TextLines lines;

    ClassicOutbox(ClassicSession session, ClassicMessageCipher cipher, Transports transports, SessionRegistry sessions,
            Counters counters, Departures departures, TextLines lines) {
        this.lines = lines;
        this.session = session;
        this.cipher = cipher;
        this.transports = transports;
        this.sessions = sessions;
        this.counters = counters;
        this.departures = departures;
    }

    /** Its text line; an envelope or a key bundle has none (a classic session is never sent one). */
    @Override
    public boolean deliver(Delivery delivery) {
        byte[] line = lines.utf8(delivery);
        if (line == null) {
            counters.withheld();
            return false;
        }
        return send(line, delivery.sender());
    }

    private boolean send(byte[] utf8, String sender) {
        List<byte[]> parts = parts(utf8);
        long blocks = 0;
        for (byte[] part : parts) {
            blocks += blocksOf(part.length);
        }
        if (!session.mayCarry(sender, blocks)) {
            counters.withheld();
            return false;
        }
        if (session.sentBlocks().room() - RESERVED_BLOCKS < blocks) {
            boundReached();
            return false;
        }
        session.carried(sender, blocks);
        boolean sent = true;
        for (byte[] part : parts) {
            sent &= sendPart(part);
        }
        return sent;
    }

    /** The session can be sent nothing more it could not reflect back: it is told, once, and ends after this turn. */
    private void boundReached() {
        if (session.open() && session.sentBlocks().room() >= RESERVED_BLOCKS) {
            sendPart(BOUND_REACHED_UTF8);
            counters.withheld();
            departures.later(session);
        }
    }

    /** At most {@link ClassicCodec#MAX_TEXT_BYTES} each, never cut inside a character. */
    private static List<byte[]> parts(byte[] utf8) {
        if (utf8.length <= ClassicCodec.MAX_TEXT_BYTES) {
            return List.of(utf8);
        }
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        do {
            int end = Math.min(utf8.length, start + ClassicCodec.MAX_TEXT_BYTES);
            while (end < utf8.length && (utf8[end] & 0xC0) == 0x80) {
                end--; // back off a continuation byte: cut before the character it belongs to
            }
            parts.add(Arrays.copyOfRange(utf8, start, end));
            start = end;
        } while (start < utf8.length);
        return parts;
    }

    /** Ciphertext blocks of a part of {@code textBytes} (PKCS#7 always pads). */
    private static int blocksOf(int textBytes) {
        return SentBlocks.blocksOf(ClassicMessageCipher.sealedLength(textBytes));
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
