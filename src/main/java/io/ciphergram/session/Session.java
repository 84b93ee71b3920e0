package io.ciphergram.session;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec.ClientExpects;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.SecureChannel;

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

    /** Which wire format the peer speaks; the relay encodes each recipient's copy in its own. */
    public enum Profile { CLASSIC, V2 }

    private final PeerId peer;
    /** Classic: every datagram. v2: every reassembled message. Survives a restart of the session. */
    private FloodGate flood;
    private Profile profile = Profile.CLASSIC;
    private SecureChannel channel;
    /** v2 only: every datagram, before any crypto work. */
    private FloodGate datagramFlood;
    private byte[] clientNonce;
    private byte[] keyReply;
    private long idleTimeoutNanos = -1;
    private State state;
    private SessionKey key;
    private String name;
    private boolean guest;
    private long lastActiveNanos;

    Session(PeerId peer, FloodGate flood, long nowNanos) {
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

    FloodGate flood() {
        return flood;
    }

    public synchronized Profile profile() {
        return profile;
    }

    public synchronized boolean isV2() {
        return profile == Profile.V2;
    }

    /** The v2 record layer; callers synchronise on this session while using it. */
    public synchronized SecureChannel channel() {
        return channel;
    }

    /** The v2 client nonce of the handshake that made this session (to recognise a repeated KeyOffer). */
    public synchronized byte[] clientNonce() {
        return clientNonce;
    }

    /** The KeyReply this session was created with, sent again if the client repeats its KeyOffer. */
    public synchronized byte[] keyReply() {
        return keyReply;
    }

    /** This session's idle timeout, or -1 for the registry's default (classic). */
    synchronized long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /**
     * Turns a fresh session into a v2 one. v2 flood control has two buckets: datagrams before any crypto
     * (fragments, acks and retransmissions count, so it is wide) and messages after reassembly.
     */
    public synchronized void establishV2(SecureChannel channel, byte[] clientNonce, byte[] keyReply,
            TokenBucket datagrams, TokenBucket messages, long idleTimeoutNanos) {
        this.profile = Profile.V2;
        this.channel = channel;
        this.clientNonce = clientNonce.clone();
        this.keyReply = keyReply.clone();
        this.datagramFlood = new FloodGate(datagrams);
        this.flood = new FloodGate(messages);
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** v2 message-level flood control, after a message has been reassembled (it was already acknowledged). */
    public synchronized FloodVerdict admitMessage(long nowNanos) {
        return flood.admit(nowNanos);
    }

    /**
     * When this peer was last heard from, for idle expiry: any datagram for a classic session (nothing in
     * that format proves its sender), only authenticated records for a v2 one, so that a spoofer cannot
     * keep a dead v2 session alive.
     */
    public synchronized long lastActiveNanos() {
        return profile == Profile.V2 ? channel.lastReceivedNanos() : lastActiveNanos;
    }

    /**
     * Flood control, applied before any crypto work: whether this datagram may be processed and, if not,
     * whether this is the first drop of a burst (one error notice per burst).
     */
    public synchronized FloodVerdict admit(long nowNanos) {
        lastActiveNanos = nowNanos;
        return (profile == Profile.V2 ? datagramFlood : flood).admit(nowNanos);
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
