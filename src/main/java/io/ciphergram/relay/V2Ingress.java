package io.ciphergram.relay;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.ReliableConstants;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;

/**
 * v2 datagrams in: the cookie handshake (no state, no RSA before a valid cookie), then records through
 * each session's {@link SecureChannel}, and reassembled messages to the {@link Room}. Also drives the
 * channels' timers ({@link #tick}).
 */
final class V2Ingress {

    private final Room room;
    private final SessionRegistry sessions;
    private final ServerHandshake handshake;

    /** @param handshake null to refuse v2 (every v2 datagram is then dropped as malformed) */
    V2Ingress(Room room, ServerHandshake handshake) {
        this.room = room;
        this.sessions = room.sessions();
        this.handshake = handshake;
    }

    void onDatagram(PeerId from, byte[] datagram) throws FrameException {
        if (handshake == null) {
            throw new FrameException(DropReason.MALFORMED_FRAME);
        }
        long now = sessions.now();
        V2Frame frame = V2Codec.decode(datagram);
        if (frame instanceof V2Frame.Hello hello) {
            room.transmit(from, handshake.onHello(from, hello, now));
        } else if (frame instanceof V2Frame.KeyOffer offer) {
            onKeyOffer(from, datagram, offer, now);
        } else if (frame instanceof V2Frame.Data data) {
            onData(from, data, now);
        } else {
            throw new FrameException(DropReason.OUT_OF_STATE); // Retry and KeyReply only travel to clients
        }
    }

    private void onKeyOffer(PeerId from, byte[] datagram, V2Frame.KeyOffer offer, long now) throws FrameException {
        Session existing = sessions.find(from);
        if (existing != null && existing.isV2() && Arrays.equals(existing.clientNonce(), offer.clientNonce())) {
            // Our KeyReply was lost and the client repeats its offer: the same reply, the same session.
            if (room.admitDatagram(existing)) {
                room.transmit(from, existing.keyReply());
            }
            return;
        }
        ServerHandshake.Accepted accepted = handshake.onKeyOffer(from, datagram, offer, now);
        V2Frame.Limits limits = handshake.limits();
        SessionRegistry.Started started = sessions.start(from);
        room.left(started.ended());
        Session session = started.session();
        SecureChannel channel = new SecureChannel(SecureChannel.Role.SERVER, accepted.sessionId(), accepted.secret(),
                accepted.transcriptHash(), new TokenBucket(0, 1, now),
                TimeUnit.SECONDS.toNanos(limits.keepaliveSeconds()), V2Constants.REKEY_AFTER_MESSAGES,
                V2Constants.REKEY_AFTER_NANOS, now);
        // Datagrams: every fragment of a 64 KiB message twice (acks, retransmissions) per stated message;
        // messages: the stated limit plus a send window of slack, because after a loss the reliable layer
        // releases the messages queued behind it together (docs/PROTOCOL.md, "Limits and pacing").
        double perSecond = limits.messagesPerSecond();
        double perMessage = ReliableConstants.MAX_FRAGMENTS * 2.0;
        TokenBucket datagrams = new TokenBucket(perSecond * perMessage, Math.max(1, limits.burst()) * perMessage, now);
        TokenBucket messages = new TokenBucket(perSecond, limits.burst() + ReliableConstants.SEND_WINDOW, now);
        session.establishV2(channel, accepted.clientNonce(), accepted.keyReply(), datagrams, messages,
                TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds()));
        String name = sessions.register(session, accepted.requestedName());
        room.transmit(from, accepted.keyReply());
        room.joined(session, accepted.requestedName(), name);
    }

    private void onData(PeerId from, V2Frame.Data data, long now) throws FrameException {
        Session session = sessions.find(from);
        if (session == null || !session.isV2()) {
            throw new FrameException(DropReason.UNKNOWN_SESSION);
        }
        if (!room.admitDatagram(session)) {
            return;
        }
        SecureChannel.Inbound inbound;
        synchronized (session) {
            inbound = session.channel().open(data, now);
        }
        for (byte[] message : inbound.messages()) {
            onMessage(session, message, now);
        }
        if (inbound.closed()) {
            if (sessions.remove(session)) {
                room.left(List.of(session));
            }
            return;
        }
        room.flush(session, now);
    }

    private void onMessage(Session session, byte[] message, long now) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(message)).toString();
        } catch (CharacterCodingException e) {
            room.drop(session.peer(), DropReason.MALFORMED_FRAME);
            return;
        }
        if (room.admitMessage(session, now)) {
            room.onText(session, text);
        }
    }

    /** Drives v2 timers (retransmissions, delayed acks, pacing, keepalive answers). */
    void tick() {
        long now = sessions.now();
        for (Session session : sessions.v2Sessions()) {
            long due;
            synchronized (session) {
                SecureChannel channel = session.channel();
                due = channel == null ? Long.MAX_VALUE : channel.nextWakeNanos(now);
            }
            if (due <= now) {
                room.flush(session, now);
            }
        }
    }
}
