package io.ciphergram.session;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec.ClientExpects;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;

/**
 * One peer's classic session and its state machine (docs/PROTOCOL.md, "Classic state machine"):
 *
 * <pre>
 *   SYN → HANDSHAKE --ACK--> AWAIT_KEY --key--> AWAIT_NAME --username--> ESTABLISHED
 *   key (no SYN) ----------------------------------------------------> ESTABLISHED (guest)
 * </pre>
 *
 * A key is also accepted in HANDSHAKE (a lost or late ACK must not strand a client). Mutable state is
 * guarded by the session's own monitor; the registry guards membership.
 */
public final class Session {

    public enum State { HANDSHAKE, AWAIT_KEY, AWAIT_NAME, ESTABLISHED, CLOSED }

    private final PeerId peer;
    private final TokenBucket flood;
    private State state;
    private SessionKey key;
    private String name;
    private boolean guest;
    private boolean floodNoticeSent;
    private long lastActiveNanos;

    Session(PeerId peer, TokenBucket flood, long nowNanos) {
        this.peer = peer;
        this.flood = flood;
        this.state = State.HANDSHAKE;
        this.lastActiveNanos = nowNanos;
    }

    public PeerId peer() {
        return peer;
    }

    public synchronized State state() {
        return state;
    }

    /** Which opaque datagram the codec should expect next. */
    public synchronized ClientExpects expects() {
        return switch (state) {
            case AWAIT_NAME -> ClientExpects.USERNAME;
            case ESTABLISHED -> ClientExpects.MESSAGE;
            default -> ClientExpects.KEY;
        };
    }

    public synchronized SessionKey key() {
        return key;
    }

    /** The effective username, or the guest name; null until registered. */
    public synchronized String name() {
        return name;
    }

    /** A no-handshake client: it names itself inside its text, which is relayed verbatim. */
    public synchronized boolean guest() {
        return guest;
    }

    public synchronized boolean established() {
        return state == State.ESTABLISHED;
    }

    TokenBucket flood() {
        return flood;
    }

    public synchronized long lastActiveNanos() {
        return lastActiveNanos;
    }

    /**
     * Flood control, applied before any crypto work: true if this datagram may be processed. When it may
     * not, {@code noticeDue} says whether this is the first drop of a burst (one error notice per burst).
     */
    public synchronized FloodVerdict admit(long nowNanos) {
        lastActiveNanos = nowNanos;
        if (flood.tryTake(nowNanos)) {
            floodNoticeSent = false;
            return FloodVerdict.ADMITTED;
        }
        if (floodNoticeSent) {
            return FloodVerdict.DROPPED;
        }
        floodNoticeSent = true;
        return FloodVerdict.DROPPED_NOTICE_DUE;
    }

    public enum FloodVerdict { ADMITTED, DROPPED, DROPPED_NOTICE_DUE }

    /** ACK after SYN-ACK. Returns false when out of state. */
    public synchronized boolean acknowledge() {
        if (state != State.HANDSHAKE) {
            return false;
        }
        state = State.AWAIT_KEY;
        return true;
    }

    /** The public key arrived and the session key was chosen; the next datagram is the username. */
    public synchronized void keyed(SessionKey sessionKey) {
        this.key = sessionKey;
        this.state = State.AWAIT_NAME;
    }

    /** A no-handshake client: keyed and established at once, under a guest name. */
    synchronized void keyedAsGuest(SessionKey sessionKey, String guestName) {
        this.key = sessionKey;
        this.name = guestName;
        this.guest = true;
        this.state = State.ESTABLISHED;
    }

    synchronized void register(String effectiveName) {
        this.name = effectiveName;
        this.state = State.ESTABLISHED;
    }

    synchronized void close() {
        state = State.CLOSED;
    }

    @Override
    public String toString() {
        return "Session[" + peer + ", " + state + "]";
    }
}
