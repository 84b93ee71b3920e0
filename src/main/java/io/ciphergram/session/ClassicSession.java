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
    private long lastHeardNanos;

    public ClassicSession(PeerId peer, SessionKey key, boolean guest, FloodGate flood, long nowNanos) {
        super(peer, nowNanos);
        this.key = key;
        this.guest = guest;
        this.flood = flood;
        this.lastHeardNanos = nowNanos;
    }

    public SessionKey key() {
        return key;
    }

    /** A no-handshake client: it names itself inside its text. */
    public boolean guest() {
        return guest;
    }

    @Override
    public boolean namesItselfInText() {
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
