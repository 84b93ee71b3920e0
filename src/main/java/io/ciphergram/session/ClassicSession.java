package io.ciphergram.session;

import io.ciphergram.protocol.UserName;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

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
    private String selfNamePrefix;
    /** Blocks of its bound each sender's lines have used ("" for the relay's own notices). */
    private final Map<String, Long> carried = new HashMap<>();

    /** @param outbox makes the way to reach it (it is given the session, fully made) */
    public ClassicSession(PeerId peer, SessionKey key, boolean guest, FloodGate flood, SentBlocks sentBlocks,
            long nowNanos, Function<ClassicSession, Outbox> outbox) {
        super(peer, nowNanos);
        this.key = key;
        this.guest = guest;
        this.flood = flood;
        this.sentBlocks = sentBlocks;
        this.lastHeardNanos = nowNanos;
        reachThrough(outbox.apply(this));
    }

    /** The part of a session's bound ({@link SentBlocks#limit()}) one sender's lines may use: a quarter. */
    public static final int SENDER_SHARE_DIVISOR = 4;

    /**
     * Whether {@code blocks} more of {@code sender}'s words fit in that sender's share of this session's
     * bound, so that no one member can use up what another's private message needs remembered.
     *
     * @param sender a name, or null for the relay's own notices
     */
    public boolean mayCarry(String sender, long blocks) {
        return carried.getOrDefault(shareKey(sender), 0L) + blocks <= sentBlocks.limit() / SENDER_SHARE_DIVISOR;
    }

    /** {@code blocks} of {@code sender}'s words were sent to it. */
    public void carried(String sender, long blocks) {
        carried.merge(shareKey(sender), blocks, Long::sum);
    }

    private static String shareKey(String sender) {
        String key = sender == null ? null : UserName.canonical(sender);
        return key == null ? "" : key;
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

    /**
     * For a guest that names itself inside its texts (the seed variants without a username send
     * {@code NAME||text} or {@code NAME: text}): that prefix, exactly, once its name was taken from it;
     * else null.
     */
    public String selfNamePrefix() {
        return selfNamePrefix;
    }

    public void selfNamePrefix(String prefix) {
        this.selfNamePrefix = prefix;
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
