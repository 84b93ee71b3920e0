package io.ciphergram.session;

import java.security.MessageDigest;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.v2.ReliableConstants;
import io.ciphergram.protocol.v2.SecureChannel;

/**
 * An established v2 session: its {@link SecureChannel} (records, replay window, reliable delivery) and the
 * handshake it came from. Only authenticated records count as hearing from the peer, so a spoofer cannot
 * keep it alive. Flood control has two gates: datagrams before any crypto, messages after reassembly.
 */
public final class V2Session extends Session {

    private final SecureChannel channel;
    private final byte[] clientNonce;
    private final byte[] keyReply;
    private final FloodGate datagrams;
    private final FloodGate messages;
    private final long idleTimeoutNanos;
    /** The deadline a timer is armed for, Long.MAX_VALUE when none is. */
    private long timerNanos = Long.MAX_VALUE;
    /** What it holds, as last measured into the budget. */
    private long accountedBytes;
    /** Since when offers to it have failed for a full queue or budget; -1 while they succeed. */
    private long refusedSinceNanos = -1;

    public V2Session(PeerId peer, SecureChannel channel, byte[] clientNonce, byte[] keyReply, FloodGate datagrams,
            FloodGate messages, long idleTimeoutNanos, long nowNanos) {
        super(peer, nowNanos);
        this.channel = channel;
        this.clientNonce = clientNonce.clone();
        this.keyReply = keyReply.clone();
        this.datagrams = datagrams;
        this.messages = messages;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    public SecureChannel channel() {
        return channel;
    }

    /** The client nonce of the handshake that made this session (to recognise a repeated KeyOffer). */
    public boolean madeBy(byte[] nonce) {
        return MessageDigest.isEqual(clientNonce, nonce);
    }

    /** The KeyReply this session was created with, sent again if the client repeats its KeyOffer. */
    public byte[] keyReply() {
        return keyReply.clone();
    }

    /** Flood control on every datagram, before any crypto work. */
    public FloodGate datagrams() {
        return datagrams;
    }

    /** Flood control on reassembled messages (they were already acknowledged). */
    public FloodGate messages() {
        return messages;
    }

    /** The deadline a timer is armed for; Long.MAX_VALUE when none is. */
    public long timerNanos() {
        return timerNanos;
    }

    public void timerNanos(long deadline) {
        this.timerNanos = deadline;
    }

    /** Measures what its channel holds into the shared budget; call after any change to the channel. */
    public void measure(MemoryBudget budget) {
        long now = channel.heldBytes();
        budget.adjust(now - accountedBytes);
        accountedBytes = now;
    }

    void release(MemoryBudget budget) {
        budget.adjust(-accountedBytes);
        accountedBytes = 0;
    }

    /**
     * Records whether a message for it was taken; returns since when they have been refused without a break
     * (-1 if the last one was taken), so that a recipient that stays behind can be given up.
     */
    public long offered(boolean taken, long nowNanos) {
        if (taken) {
            refusedSinceNanos = -1;
        } else if (refusedSinceNanos < 0) {
            refusedSinceNanos = nowNanos;
        }
        return refusedSinceNanos;
    }

    @Override
    public String profile() {
        return "v2";
    }

    @Override
    public long lastHeardNanos() {
        return channel.lastReceivedNanos();
    }

    @Override
    public int maxTextBytes() {
        return ReliableConstants.MAX_MESSAGE;
    }

    @Override
    long idleTimeoutNanos(long classicDefault) {
        return idleTimeoutNanos;
    }
}
