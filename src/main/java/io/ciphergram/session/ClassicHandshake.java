package io.ciphergram.session;

import java.util.ArrayDeque;
import java.util.List;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicCodec.ClientExpects;
import io.ciphergram.protocol.PeerId;

/**
 * A classic handshake in progress, not a session (docs/PROTOCOL.md, "Sessions and state machine"):
 *
 * <pre>
 *   SYN → AWAIT_ACK --ACK--> AWAIT_KEY --key--> WRAPPING --reply sent--> AWAIT_NAME --username--> a {@link ClassicSession}
 * </pre>
 *
 * A key is also accepted in AWAIT_ACK (a lost or late ACK must not strand a client). When the address
 * already has a proven session, a completed handshake (or a guest's key) does not replace it: the
 * handshake waits in AWAIT_PROOF until a message decrypts under its key, because anyone can send the
 * classic handshake from a forged address without ever seeing the replies. Seed clients read the first
 * datagram after SYN-ACK as the key reply, so nothing is ever sent to a handshake but SYN-ACK and the key
 * reply. Relay-thread state.
 */
public final class ClassicHandshake {

    public enum State { AWAIT_ACK, AWAIT_KEY, WRAPPING, AWAIT_NAME, AWAIT_PROOF }

    /**
     * Datagrams held while the key reply is being made, at most: a seed client sends exactly one (its
     * username) in that time. The handshake workers take a bounded queue of keys, so few handshakes hold
     * any at once.
     */
    public static final int MAX_HELD = 4;
    /** And their bytes together at most (one whole classic datagram). */
    public static final int MAX_HELD_BYTES = ClassicCodec.MAX_DATAGRAM;

    private final PeerId peer;
    private final FloodGate flood;
    private final long startedNanos;
    private State state;
    private SessionKey key;
    private String requestedName;
    private long lastHeardNanos;
    private boolean completed;
    private final ArrayDeque<byte[]> held = new ArrayDeque<>(1);
    private int heldBytes;

    ClassicHandshake(PeerId peer, FloodGate flood, long nowNanos) {
        this.peer = peer;
        this.flood = flood;
        this.startedNanos = nowNanos;
        this.lastHeardNanos = nowNanos;
        this.state = State.AWAIT_ACK;
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
        return switch (state) {
            case WRAPPING -> ClientExpects.LATER;
            case AWAIT_NAME -> ClientExpects.USERNAME;
            case AWAIT_PROOF -> ClientExpects.MESSAGE;
            default -> ClientExpects.KEY;
        };
    }

    /** ACK after SYN-ACK; false if out of state. */
    public boolean acknowledge() {
        if (state != State.AWAIT_ACK) {
            return false;
        }
        state = State.AWAIT_KEY;
        return true;
    }

    /** Whether a public key now belongs to this handshake (rather than to a new guest). */
    public boolean awaitsKey() {
        return state == State.AWAIT_ACK || state == State.AWAIT_KEY;
    }

    /**
     * Its key arrived and the key reply is being made off the relay thread. The seed's client sends its
     * username right after its key, without waiting for the reply (docs/PROTOCOL.md, "Sessions and state
     * machine"), so what arrives meanwhile is held, in order, until {@link #keyed}.
     */
    public void wrapping() {
        state = State.WRAPPING;
    }

    public boolean isWrapping() {
        return state == State.WRAPPING;
    }

    /** Holds a datagram that arrived while wrapping; false (nothing held) past {@link #MAX_HELD} or its bytes. */
    public boolean hold(byte[] datagram) {
        if (held.size() >= MAX_HELD || heldBytes + datagram.length > MAX_HELD_BYTES) {
            return false;
        }
        held.addLast(datagram);
        heldBytes += datagram.length;
        return true;
    }

    /**
     * The key could not be used (refused, or the workers were full): back to awaiting one.
     *
     * @return how many held datagrams were let go (the caller counts them as dropped)
     */
    public int unwrapped() {
        if (state == State.WRAPPING) {
            state = State.AWAIT_KEY;
        }
        return dropHeld();
    }

    /** Lets go of what it holds (it is ending); returns how many datagrams that was. */
    int dropHeld() {
        int dropped = held.size();
        held.clear();
        heldBytes = 0;
        return dropped;
    }

    /** Datagrams held and not yet taken back. */
    public int heldCount() {
        return held.size();
    }

    /**
     * The key reply went out; the next opaque datagram is the username.
     *
     * @return what arrived while the reply was made, oldest first, to be handled now in that order
     */
    public List<byte[]> keyed(SessionKey sessionKey) {
        this.key = sessionKey;
        this.state = State.AWAIT_NAME;
        List<byte[]> backlog = List.copyOf(held);
        held.clear();
        heldBytes = 0;
        return backlog;
    }

    /**
     * Waits for a message under {@code sessionKey} before it may replace the address's proven session.
     *
     * @param name the username it registered with, or null for a guest (the no-handshake variant)
     */
    public void awaitProof(SessionKey sessionKey, String name) {
        this.key = sessionKey;
        this.requestedName = name;
        this.state = State.AWAIT_PROOF;
    }

    public SessionKey key() {
        return key;
    }

    /** It became a session (set just before it is ended for that reason). */
    public void complete() {
        completed = true;
    }

    boolean completed() {
        return completed;
    }

    /** In AWAIT_PROOF: the username it asked for, or null for a guest. */
    public String requestedName() {
        return requestedName;
    }
}
