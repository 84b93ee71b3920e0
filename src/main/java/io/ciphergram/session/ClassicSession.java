package io.ciphergram.session;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.PeerId;

/**
 * An established classic session (docs/PROTOCOL.md, "Classic profile"): a registered user after the full
 * handshake, or a guest (the no-handshake variant) after its key alone. Every datagram from it after this
 * point is a sealed message under {@link #key()}.
 */
public final class ClassicSession extends Session {

    private final SessionKey key;
    private final boolean guest;
    private final FloodGate flood;
    private final SentBlocks sentBlocks;
    private long lastHeardNanos;

    public ClassicSession(PeerId peer, SessionKey key, boolean guest, FloodGate flood, SentBlocks sentBlocks,
            long nowNanos) {
        super(peer, nowNanos);
        this.key = key;
        this.guest = guest;
        this.flood = flood;
        this.sentBlocks = sentBlocks;
        this.lastHeardNanos = nowNanos;
    }

    /** The ciphertext the server sent this session, which it must never accept back as input. */
    public SentBlocks sentBlocks() {
        return sentBlocks;
    }

    public SessionKey key() {
        return key;
    }

    /** A no-handshake client, named by the server ({@code guest-<n>}). */
    public boolean guest() {
        return guest;
    }

    /** Flood control on every datagram, before any crypto work; it belongs to the address. */
    public FloodGate flood() {
        return flood;
    }

    /** Anything from the address counts: nothing in the classic format proves its sender. */
    public void heard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    @Override
    public String profile() {
        return guest ? "classic-guest" : "classic";
    }

    @Override
    public long lastHeardNanos() {
        return lastHeardNanos;
    }

    @Override
    public int maxTextBytes() {
        return ClassicCodec.MAX_TEXT_BYTES;
    }

    @Override
    long idleTimeoutNanos(long classicDefault) {
        return classicDefault;
    }
}
