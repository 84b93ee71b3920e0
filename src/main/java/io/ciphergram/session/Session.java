package io.ciphergram.session;

import java.util.List;
import java.util.Objects;

import io.ciphergram.protocol.PeerId;

/**
 * A participant the handshake of its profile has established: one per peer, registered under a unique
 * name, reached through its own {@link Outbox}. There is one type per profile ({@link ClassicSession},
 * {@link V2Session}); the room works on this common face only. Half-open classic handshakes are not
 * sessions ({@link ClassicHandshake}). Relay-thread state, like everything in the registry.
 */
public abstract sealed class Session permits ClassicSession, V2Session {

    private final PeerId peer;
    private final long startedNanos;
    private Outbox outbox;
    private String name;
    private boolean open = true;
    private boolean proven;
    private String room;
    private boolean toldNotEndToEnd;
    private long linesIn;
    private long linesOut;

    Session(PeerId peer, long nowNanos) {
        this.peer = Objects.requireNonNull(peer);
        this.startedNanos = nowNanos;
    }

    public PeerId peer() {
        return peer;
    }

    public long startedNanos() {
        return startedNanos;
    }

    /** The effective name, unique ignoring case; null until registered. */
    public String name() {
        return name;
    }

    void named(String effectiveName) {
        this.name = effectiveName;
    }

    public Outbox outbox() {
        return outbox;
    }

    /**
     * Set once, at the end of each profile's constructor, from the outbox factory it was given: a session
     * never exists without the way to reach it.
     */
    final void reachThrough(Outbox out) {
        this.outbox = Objects.requireNonNull(out);
    }

    /** Still registered: false once it has ended for any reason. */
    public boolean open() {
        return open;
    }

    void ended() {
        open = false;
    }

    /**
     * Whether its peer has sent something under the session's key, which shows it received the key at its
     * address and, for v2, that it accepted the server's identity: only then is it a member of the room
     * (announced, listed, sent the room's traffic). A classic peer does so with its first message that
     * decrypts, a v2 peer with its first authenticated record (the ack of its welcome, at the latest).
     */
    public boolean proven() {
        return proven;
    }

    void prove() {
        proven = true;
    }

    /** Every {@link #profile()}. */
    public static final List<String> PROFILES = List.of("classic", "classic-guest", "v2");

    /** The identity its handshake proved (only v2 can), or null. */
    public io.ciphergram.crypto.IdentityPublicKey identity() {
        return null;
    }

    /** The room it is in (canonical), or null before it is a member. Set by the relay's rooms. */
    public String room() {
        return room;
    }

    public void room(String canonicalRoom) {
        this.room = canonicalRoom;
    }

    /** Whether it has been told that private messages it sent were not end to end (once a session). */
    public boolean toldNotEndToEnd() {
        return toldNotEndToEnd;
    }

    public void toldNotEndToEnd(boolean told) {
        this.toldNotEndToEnd = told;
    }

    /** The profile, for operators (the admin API, metrics, logs): one of {@link #PROFILES}. */
    public abstract String profile();

    /** A text (message or command) came from this participant. */
    public void countIn() {
        linesIn++;
    }

    /** A line went to this participant. */
    public void countOut() {
        linesOut++;
    }

    public long linesIn() {
        return linesIn;
    }

    public long linesOut() {
        return linesOut;
    }

    /** The longest text this participant may send in one message, in UTF-8 bytes (its profile's limit). */
    public abstract int maxTextBytes();

    /** When its peer was last heard from in a way that counts for idle expiry. */
    public abstract long lastHeardNanos();

    /** How long it may stay silent; {@code classicDefault} applies to profiles that send no keepalive. */
    abstract long idleTimeoutNanos(long classicDefault);

    /** The registry's expiry sweep found it still live: it may let go of what it no longer needs. */
    void swept(long nowNanos) {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + peer + ", " + name + (open ? "" : ", ended") + "]";
    }
}
