package io.ciphergram.session;

import java.security.MessageDigest;
import java.util.function.Function;

import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.SecureChannel;

/**
 * An established v2 session: its {@link SecureChannel} (records, replay window, reliable delivery) and the
 * handshake it came from. Only authenticated records count as hearing from the peer, so a spoofer cannot
 * keep it alive. Flood control has two gates: datagrams before any crypto, messages after reassembly.
 */
public final class V2Session extends Session {

    private final SecureChannel channel;
    private final byte[] clientNonce;
    /** Until the session is proven: then its client has shown it holds the reply's keys. */
    private byte[] keyReply;
    private final String requestedName;
    private final IdentityPublicKey identity;
    private final V2Frame.Extensions extensions;
    private final FloodGate datagrams;
    private final FloodGate messages;
    private final long idleTimeoutNanos;
    private final MemoryBudget.Holder memory;

    /**
     * @param requestedName the name its KeyOffer asked for: it is given a name only when it proves itself
     * @param outbox makes the way to reach it (it is given the session, fully made)
     */
    public V2Session(PeerId peer, SecureChannel channel, MemoryBudget.Holder memory, byte[] clientNonce,
            byte[] keyReply, String requestedName, FloodGate datagrams, FloodGate messages, long idleTimeoutNanos,
            long nowNanos, Function<V2Session, Outbox> outbox) {
        this(peer, channel, memory, clientNonce, keyReply, requestedName, null, V2Frame.Extensions.NONE, datagrams,
                messages, idleTimeoutNanos, nowNanos, outbox);
    }

    /**
     * @param identity the identity its handshake proved, or null
     * @param extensions what its KeyOffer asked for (frames, resume)
     */
    public V2Session(PeerId peer, SecureChannel channel, MemoryBudget.Holder memory, byte[] clientNonce,
            byte[] keyReply, String requestedName, IdentityPublicKey identity, V2Frame.Extensions extensions,
            FloodGate datagrams, FloodGate messages, long idleTimeoutNanos, long nowNanos,
            Function<V2Session, Outbox> outbox) {
        super(peer, nowNanos);
        this.identity = identity;
        this.extensions = extensions;
        this.channel = channel;
        this.memory = memory;
        this.clientNonce = clientNonce.clone();
        this.keyReply = keyReply.clone();
        this.requestedName = requestedName;
        this.datagrams = datagrams;
        this.messages = messages;
        this.idleTimeoutNanos = idleTimeoutNanos;
        reachThrough(outbox.apply(this));
    }

    /** The identity its handshake proved, or null. */
    @Override
    public IdentityPublicKey identity() {
        return identity;
    }

    /** Whether it takes app frames rather than text lines. */
    public boolean framed() {
        return extensions.framed();
    }

    /** Where a reconnecting client was (its room and last line), or null. */
    public V2Frame.Resume resume() {
        return extensions.resume();
    }

    /** The name its handshake asked for; it holds a name ({@link #name()}) only once proven. */
    public String requestedName() {
        return requestedName;
    }

    public SecureChannel channel() {
        return channel;
    }

    /** The client nonce of the handshake that made this session (to recognise a repeated KeyOffer). */
    public boolean madeBy(byte[] nonce) {
        return MessageDigest.isEqual(clientNonce, nonce);
    }

    /**
     * The KeyReply this session was created with, sent again if the client repeats its KeyOffer; null once
     * the session is proven, when only a client that got the reply can have proven it, or once it is older
     * than {@link V2Constants#KEY_REPLY_HOLD_NANOS}, when no client still repeats its offer (so a repeated
     * offer is out of state, and an idle session does not keep 425 bytes or more for nothing).
     */
    public byte[] keyReply() {
        return keyReply == null ? null : keyReply.clone();
    }

    @Override
    void prove() {
        super.prove();
        keyReply = null;
    }

    /** Forgets the KeyReply once the session is older than the hold. */
    @Override
    void swept(long nowNanos) {
        if (nowNanos - startedNanos() >= V2Constants.KEY_REPLY_HOLD_NANOS) {
            keyReply = null;
        }
    }

    /** Flood control on every datagram, before any crypto work. */
    public FloodGate datagrams() {
        return datagrams;
    }

    /** Flood control on reassembled messages (they were already acknowledged). */
    public FloodGate messages() {
        return messages;
    }

    /** Its share of the v2 memory budget: what its channel holds, measured after any change to the channel. */
    public MemoryBudget.Holder memory() {
        return memory;
    }

    /** Measures what its channel holds into the shared budget; call after any change to the channel. */
    public void measure() {
        memory.measure(channel.heldInboundBytes(), channel.heldOutboundBytes());
    }

    @Override
    public String profile() {
        return "v2";
    }

    @Override
    public long lastHeardNanos() {
        return channel.lastReceivedNanos();
    }

    /**
     * A line ({@code NAME: text}) must reach every recipient in one message, a framed one's Line frame
     * included: 64 KiB less that frame's header.
     */
    @Override
    public int maxTextBytes() {
        return V2Constants.MAX_MESSAGE - io.ciphergram.protocol.v2.AppCodec.LINE_OVERHEAD;
    }

    @Override
    long idleTimeoutNanos(long classicDefault) {
        return idleTimeoutNanos;
    }
}
