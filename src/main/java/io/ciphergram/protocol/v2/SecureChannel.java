package io.ciphergram.protocol.v2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.DirectionKeys;
import io.ciphergram.crypto.SequencedAead;
import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.crypto.TrafficKey;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.TokenBucket;

/**
 * One end of an established v2 session, the same code on the client and the server: AEAD record
 * protection with sequence-number nonces, the anti-replay window, key updates, and the reliable ordered
 * message layer inside. Bytes in ({@link #open}), bytes out ({@link #poll}); time is passed in. Pure and
 * not thread-safe: one owner calls it (on the server, the relay thread; in a client, its I/O thread).
 *
 * <p>Inside each Data frame's ciphertext is one inner frame: a reliable Data fragment ({@code 01}), an
 * Ack ({@code 02}), a keepalive Ping ({@code 10}) or a Close ({@code 11}).
 *
 * <p>Key updates: after {@code rekeyAfterMessages} records or {@code rekeyAfterNanos} on one key, the
 * sender moves to the next key generation and flips the header's key phase; generation {@code g} keys
 * are derived from the session secret with the transcript hash of generation {@code g - 1} hashed with
 * {@code g} as salt. Sequence numbers and the replay window restart with each generation, so no key ever
 * nears the AES-GCM limits; the receiver follows when a record under the next phase authenticates.
 */
public final class SecureChannel {


    public enum Role { CLIENT, SERVER }

    /** What one inbound datagram produced. */
    public record Inbound(List<byte[]> messages, boolean closed) {
    }

    private final Role role;
    private final long sessionId;
    private final SessionSecret secret;
    private final ReliableSender sender;
    private final ReliableReceiver receiver;
    private final long rekeyAfterMessages;
    private final long rekeyAfterNanos;
    private final long keepaliveNanos;

    private byte[] generationSalt;
    private int sendGeneration;
    private SequencedAead sealer;
    private long sendSequence;
    private long sendGenerationStartNanos;

    private int receiveGeneration;
    private byte[] receiveSalt;
    private SequencedAead opener;
    private ReplayWindow replay = new ReplayWindow();

    private long lastSentNanos;
    private long lastReceivedNanos;
    private boolean closed;
    private boolean pongDue;

    /**
     * The server's end of a session its handshake accepted. It does not pace (it answers what clients
     * send), queues at most {@link V2Constants#SERVER_SEND_QUEUE_BYTES} for its client, and holds
     * fragments only as far as {@code memory} allows.
     */
    public static SecureChannel server(ServerHandshake.Accepted accepted, V2Frame.Limits limits,
            ReliableReceiver.HoldGate memory, ReliableEvents events, long nowNanos) {
        return new SecureChannel(Role.SERVER, accepted.sessionId(), accepted.secret(), accepted.transcriptHash(),
                new ReliableSender(TokenBucket.NO_LIMIT, V2Constants.SERVER_SEND_QUEUE_BYTES, events),
                new ReliableReceiver(memory, events), TimeUnit.SECONDS.toNanos(limits.keepaliveSeconds()),
                V2Constants.REKEY_AFTER_MESSAGES, V2Constants.REKEY_AFTER_NANOS, nowNanos);
    }

    /** The client's end: it paces new messages to the limits the server stated and pings when quiet. */
    public static SecureChannel client(ClientHandshake.Established established, long nowNanos) {
        V2Frame.Limits limits = established.limits();
        return new SecureChannel(Role.CLIENT, established.sessionId(), established.secret(),
                established.transcriptHash(), new TokenBucket(limits.messagesPerSecond(), limits.burst(), nowNanos),
                TimeUnit.SECONDS.toNanos(Math.max(1, limits.keepaliveSeconds())), V2Constants.REKEY_AFTER_MESSAGES,
                V2Constants.REKEY_AFTER_NANOS, nowNanos);
    }

    /**
     * Both ends with every parameter given: the factories above are what the server and client use; tests
     * and benchmarks choose small rekey limits or no pacing here.
     *
     * @param transcriptHash SHA-256 of the handshake ({@link V2Codec#transcriptHash})
     * @param pacer paces new messages (the client paces to the server's stated limits; the server does not)
     */
    public SecureChannel(Role role, long sessionId, SessionSecret secret, byte[] transcriptHash, TokenBucket pacer,
            long keepaliveNanos, long rekeyAfterMessages, long rekeyAfterNanos, long nowNanos) {
        this(role, sessionId, secret, transcriptHash, new ReliableSender(pacer), new ReliableReceiver(), keepaliveNanos,
                rekeyAfterMessages, rekeyAfterNanos, nowNanos);
    }

    private SecureChannel(Role role, long sessionId, SessionSecret secret, byte[] transcriptHash, ReliableSender sender,
            ReliableReceiver receiver, long keepaliveNanos, long rekeyAfterMessages, long rekeyAfterNanos, long nowNanos) {
        this.role = role;
        this.sessionId = sessionId;
        this.secret = secret;
        this.sender = sender;
        this.receiver = receiver;
        this.keepaliveNanos = keepaliveNanos;
        this.rekeyAfterMessages = rekeyAfterMessages;
        this.rekeyAfterNanos = rekeyAfterNanos;
        // Salts are replaced on a key update, never written to, so both directions start from one copy.
        this.generationSalt = transcriptHash.clone();
        this.receiveSalt = generationSalt;
        DirectionKeys keys = DirectionKeys.derive(secret, transcriptHash);
        this.sealer = new SequencedAead(outbound(keys));
        this.opener = new SequencedAead(inbound(keys));
        this.sendGenerationStartNanos = nowNanos;
        this.lastSentNanos = nowNanos;
        this.lastReceivedNanos = nowNanos;
    }

    public long sessionId() {
        return sessionId;
    }

    /** Queues a message (UTF-8 text, up to 64 KiB) for reliable, ordered delivery. False if the queue is full. */
    public boolean offer(byte[] message) {
        if (message.length > V2Constants.MAX_MESSAGE) {
            throw new IllegalArgumentException("a v2 message is at most " + V2Constants.MAX_MESSAGE + " bytes");
        }
        return sender.offer(message).isPresent();
    }

    /**
     * Authenticates and processes one Data frame.
     *
     * @throws FrameException (never for a valid, fresh record) with the reason to count it under
     */
    public Inbound open(V2Frame.Data frame, long nowNanos) throws FrameException {
        if (frame.sessionId() != sessionId) {
            throw new FrameException(DropReason.UNKNOWN_SESSION);
        }
        // A record may be up to MAX_GENERATIONS_AHEAD key generations ahead: if every record of one
        // generation was lost (a lone record before an hour of silence), the receiver still catches up.
        int ahead = (frame.keyPhase() - receiveGeneration) & 0xFF;
        if (ahead > V2Constants.MAX_GENERATIONS_AHEAD) {
            throw new FrameException(DropReason.BAD_KEY_PHASE);
        }
        boolean nextGeneration = ahead > 0;
        byte[] nextSalt = receiveSalt;
        for (int g = 1; g <= ahead; g++) {
            nextSalt = nextSalt(nextSalt, receiveGeneration + g);
        }
        SequencedAead aead = nextGeneration ? new SequencedAead(inbound(DirectionKeys.derive(secret, nextSalt))) : opener;
        ReplayWindow window = nextGeneration ? new ReplayWindow() : replay;
        if (!window.wouldAccept(frame.sequence())) {
            throw new FrameException(DropReason.REPLAYED);
        }
        byte[] inner;
        try {
            inner = aead.open(frame.sequence(),
                    V2Codec.dataHeader(frame.sessionId(), frame.keyPhase(), frame.sequence()), frame.ciphertext());
        } catch (CryptoFailure e) {
            throw new FrameException(DropReason.AUTH_FAILED);
        }
        if (!window.markSeen(frame.sequence())) {
            throw new FrameException(DropReason.REPLAYED);
        }
        if (nextGeneration) {
            receiveGeneration += ahead;
            receiveSalt = nextSalt;
            opener = aead;
            replay = window;
        }
        lastReceivedNanos = nowNanos;
        return deliver(inner, nowNanos);
    }

    private Inbound deliver(byte[] inner, long nowNanos) throws FrameException {
        ReliableFrame frame = ReliableCodec.decode(inner);
        if (frame instanceof ReliableFrame.Data data) {
            return new Inbound(receiver.onData(data, nowNanos), false);
        } else if (frame instanceof ReliableFrame.Ack ack) {
            sender.onAck(ack, nowNanos);
        } else if (frame instanceof ReliableFrame.Ping) {
            // The server answers each keepalive, so a client in a quiet room still hears that it is alive.
            pongDue = role == Role.SERVER;
        } else {
            closed = true;
            return new Inbound(List.of(), true);
        }
        return new Inbound(List.of(), false);
    }

    /** The datagrams to send now: due retransmissions, new fragments, an Ack if one is due, a keepalive. */
    public List<byte[]> poll(long nowNanos) {
        List<byte[]> out = new ArrayList<>();
        if (closed) {
            return out;
        }
        for (ReliableFrame.Data data : sender.poll(nowNanos)) {
            out.add(seal(ReliableCodec.encode(data), nowNanos));
        }
        Optional<ReliableFrame.Ack> ack = receiver.pollAck(nowNanos);
        ack.ifPresent(a -> out.add(seal(ReliableCodec.encode(a), nowNanos)));
        if (role == Role.CLIENT && out.isEmpty() && nowNanos - lastSentNanos >= keepaliveNanos) {
            out.add(seal(ReliableCodec.encode(ReliableFrame.PING), nowNanos));
        }
        if (pongDue) {
            pongDue = false;
            if (out.isEmpty()) {
                out.add(seal(ReliableCodec.encode(ReliableFrame.PING), nowNanos));
            }
        }
        return out;
    }

    /**
     * A Ping now, whether or not a keepalive is due: a client proves it holds the keys at once with one (its
     * first authenticated record makes it a member) and asks whether the server is still there.
     */
    public byte[] ping(long nowNanos) {
        return seal(ReliableCodec.encode(ReliableFrame.PING), nowNanos);
    }

    /** An Ack of everything received so far, now, whether or not one is due: sent before a Close. */
    public byte[] ackNow(long nowNanos) {
        return seal(ReliableCodec.encode(receiver.window().currentAck()), nowNanos);
    }

    /** A Close record: the peer ends the session at once on receipt; this end sends nothing more. */
    public byte[] close(long nowNanos) {
        closed = true;
        return seal(ReliableCodec.encode(ReliableFrame.CLOSE), nowNanos);
    }

    /** When {@link #poll} must next be called. */
    public long nextWakeNanos(long nowNanos) {
        long next = pongDue ? nowNanos : Math.min(sender.nextWakeNanos(nowNanos), receiver.nextWakeNanos());
        if (role == Role.CLIENT) {
            next = Math.min(next, lastSentNanos + keepaliveNanos);
        }
        return next;
    }

    /** Every message offered has been delivered and acknowledged. */
    public boolean allAcknowledged() {
        return sender.allAcknowledged();
    }

    /** Messages acknowledged whole, counted from the first offered ({@link ReliableSender#acknowledgedMessages}). */
    public long acknowledgedMessages() {
        return sender.acknowledgedMessages();
    }

    /** The reliable layer gave up (the peer stopped acknowledging). */
    public Optional<SendWindow.Failure> failure() {
        return sender.failure();
    }

    public boolean closed() {
        return closed;
    }

    /**
     * Bytes this end holds for its session, at their real sizes: what it sends (messages queued, fragments
     * sent and not yet acknowledged) and what it receives (fragments received early, incomplete messages).
     */
    public long heldBytes() {
        return heldOutboundBytes() + heldInboundBytes();
    }

    /** Messages queued to send and fragments sent but not yet acknowledged. */
    public long heldOutboundBytes() {
        return sender.queuedBytes() + sender.window().unacknowledgedBytes();
    }

    /** Fragments received early and incomplete messages. */
    public long heldInboundBytes() {
        return receiver.heldBytes();
    }

    public long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    /** The key generation this end sends under (0 until the first key update). */
    public int sendGeneration() {
        return sendGeneration;
    }

    public int receiveGeneration() {
        return receiveGeneration;
    }

    private byte[] seal(byte[] inner, long nowNanos) {
        if (sendSequence >= rekeyAfterMessages || nowNanos - sendGenerationStartNanos >= rekeyAfterNanos) {
            sendGeneration++;
            generationSalt = nextSalt(generationSalt, sendGeneration);
            sealer = new SequencedAead(outbound(DirectionKeys.derive(secret, generationSalt)));
            sendSequence = 0;
            sendGenerationStartNanos = nowNanos;
        }
        long sequence = sendSequence++;
        byte[] header = V2Codec.dataHeader(sessionId, sendGeneration & 0xFF, sequence);
        byte[] sealed = sealer.seal(sequence, header, inner);
        lastSentNanos = nowNanos;
        return ByteBuffer.allocate(header.length + sealed.length).put(header).put(sealed).array();
    }

    private TrafficKey outbound(DirectionKeys keys) {
        return role == Role.CLIENT ? keys.clientToServer() : keys.serverToClient();
    }

    private TrafficKey inbound(DirectionKeys keys) {
        return role == Role.CLIENT ? keys.serverToClient() : keys.clientToServer();
    }

    /** Generation g's salt: SHA-256("ciphergram v2 key update" ‖ salt of g-1 ‖ g as 4 bytes). */
    static byte[] nextSalt(byte[] previous, int generation) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("ciphergram v2 key update".getBytes(StandardCharsets.US_ASCII));
            sha256.update(previous);
            sha256.update(ByteBuffer.allocate(4).putInt(generation).array());
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
