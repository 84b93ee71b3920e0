package io.ciphergram.session;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec.ClientExpects;
import io.ciphergram.protocol.PeerId;

/**
 * A classic handshake in progress, not yet a session (docs/PROTOCOL.md, "Sessions and state machine"):
 *
 * <pre>
 *   SYN → AWAIT_ACK --ACK--> AWAIT_KEY --key--> AWAIT_NAME --username--> a {@link ClassicSession}
 * </pre>
 *
 * A key is also accepted in AWAIT_ACK (a lost or late ACK must not strand a client). Seed clients read the
 * first datagram after SYN-ACK as the key reply, so nothing is ever sent to a handshake but SYN-ACK and
 * the key reply. Relay-thread state.
 */
public final class ClassicHandshake {

    public enum State { AWAIT_ACK, AWAIT_KEY, AWAIT_NAME }

    private final PeerId peer;
    private final FloodGate flood;
    private final long startedNanos;
    private State state = State.AWAIT_ACK;
    private SessionKey key;
    private long lastHeardNanos;

    ClassicHandshake(PeerId peer, FloodGate flood, long nowNanos) {
        this.peer = peer;
        this.flood = flood;
        this.startedNanos = nowNanos;
        this.lastHeardNanos = nowNanos;
    }

    public PeerId peer() {
        return peer;
    }

    public State state() {
        return state;
    }

    public FloodGate flood() {
        return flood;
    }

    public long startedNanos() {
        return startedNanos;
    }

    public long lastHeardNanos() {
        return lastHeardNanos;
    }

    public void heard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /** What an opaque datagram from this peer is now: before the key nothing is; after it, the username. */
    public ClientExpects expects() {
        return state == State.AWAIT_NAME ? ClientExpects.USERNAME : ClientExpects.KEY;
    }

    /** ACK after SYN-ACK; false if out of state. */
    public boolean acknowledge() {
        if (state != State.AWAIT_ACK) {
            return false;
        }
        state = State.AWAIT_KEY;
        return true;
    }

    /** Whether a public key now belongs to this handshake (rather than opening a guest session). */
    public boolean awaitsKey() {
        return state != State.AWAIT_NAME;
    }

    /** The key reply went out; the next opaque datagram is the username. */
    public void keyed(SessionKey sessionKey) {
        this.key = sessionKey;
        this.state = State.AWAIT_NAME;
    }

    public SessionKey key() {
        return key;
    }
}
