package io.ciphergram.session;

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
        return java.security.MessageDigest.isEqual(clientNonce, nonce);
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
