package io.ciphergram.relay;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.Utf8;
import io.ciphergram.protocol.v2.ReliableConstants;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.FloodGate;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.session.V2Session;

/**
 * v2 datagrams in: the cookie handshake (no state and no RSA before a valid cookie; the RSA and signing
 * work then runs off the relay thread), then records through each session's {@link SecureChannel}, and
 * reassembled messages to the {@link Room}. It also drives every channel's timers: after any change to a
 * channel, a timer is armed for the channel's next deadline (retransmission, delayed ack, pacing), so
 * nothing scans the sessions.
 */
final class V2Ingress {

    private final SessionRegistry sessions;
    private final Room room;
    private final Transports transports;
    private final Drops drops;
    private final FloodControl floods;
    private final Counters counters;
    private final Offload offload;
    private final Scheduler scheduler;
    private final ServerHandshake handshake;
    private final long queueFullTimeoutNanos;

    /** @param handshake null to refuse v2 (every v2 datagram is then dropped as malformed) */
    V2Ingress(SessionRegistry sessions, Room room, Transports transports, Drops drops, FloodControl floods,
            Counters counters, Offload offload, Scheduler scheduler, ServerHandshake handshake,
            long queueFullTimeoutNanos) {
        this.queueFullTimeoutNanos = queueFullTimeoutNanos;
        this.sessions = sessions;
        this.room = room;
        this.transports = transports;
        this.drops = drops;
        this.floods = floods;
        this.counters = counters;
        this.offload = offload;
        this.scheduler = scheduler;
        this.handshake = handshake;
    }

    long now() {
        return sessions.now();
    }

    void onDatagram(PeerId from, byte[] datagram) throws FrameException {
        if (handshake == null) {
            throw new FrameException(DropReason.MALFORMED_FRAME);
        }
        long now = sessions.now();
        V2Frame frame = V2Codec.decode(datagram);
        if (frame instanceof V2Frame.Hello hello) {
            rateLimit(from, now);
            transports.send(from, handshake.onHello(from, hello, now));
        } else if (frame instanceof V2Frame.KeyOffer offer) {
            onKeyOffer(from, datagram, offer, now);
        } else if (frame instanceof V2Frame.Data data) {
            onData(from, data, now);
        } else {
            throw new FrameException(DropReason.OUT_OF_STATE); // Retry and KeyReply only travel to clients
        }
    }

    private void rateLimit(PeerId from, long now) throws FrameException {
        if (!sessions.allowHandshake(from)) {
            throw new FrameException(DropReason.HANDSHAKE_RATE_LIMITED);
        }
    }

    /** Every KeyOffer, a repeated one included, takes a rate-limit token and shows a valid cookie first. */
    private void onKeyOffer(PeerId from, byte[] datagram, V2Frame.KeyOffer offer, long now) throws FrameException {
        rateLimit(from, now);
        handshake.admit(from, offer, now);
        if (sessions.session(from) instanceof V2Session existing && existing.madeBy(offer.clientNonce())) {
            // Our KeyReply was lost and the client repeats its offer: the same reply, the same session.
            transports.send(from, existing.keyReply());
            return;
        }
        if (!sessions.couldAdmit(from)) {
            throw new FrameException(DropReason.SERVER_FULL); // before the RSA work, not after
        }
        boolean taken = offload.submit(() -> handshake.accept(datagram, offer), accepted -> established(from, accepted),
                e -> {
                    counters.handshakeFailed("v2");
                    drops.drop(from, e instanceof FrameException f ? f.reason() : DropReason.BAD_PUBLIC_KEY);
                });
        if (!taken) {
            throw new FrameException(DropReason.HANDSHAKE_RATE_LIMITED);
        }
    }

    /**
     * Back on the relay thread with the signed reply: the session starts. It replaces whatever the address
     * had (the cookie proved this client owns it); a v2 session it replaces hands on its flood gates, and if
     * the name stays the same the room is not told of a leave and a join.
     */
    private void established(PeerId from, ServerHandshake.Accepted accepted) {
        long now = sessions.now();
        V2Frame.Limits limits = handshake.limits();
        Session predecessor = sessions.vacate(from);
        if (!sessions.makeRoomFor(from, false)) {
            counters.handshakeFailed("v2");
            drops.drop(from, DropReason.SERVER_FULL);
            room.left(predecessor == null ? List.of() : List.of(predecessor));
            return;
        }
        FloodGate datagrams;
        FloodGate messages;
        if (predecessor instanceof V2Session earlier) {
            datagrams = earlier.datagrams();
            messages = earlier.messages();
        } else {
            // Datagrams: every fragment of a 64 KiB message twice (acks, retransmissions) per stated message;
            // messages: the stated limit plus a send window of slack, because after a loss the reliable layer
            // releases the messages queued behind it together (docs/PROTOCOL.md, "Limits and pacing").
            double perSecond = limits.messagesPerSecond();
            double perMessage = ReliableConstants.MAX_FRAGMENTS * 2.0;
            datagrams = new FloodGate(new TokenBucket(perSecond * perMessage, Math.max(1, limits.burst()) * perMessage, now));
            messages = new FloodGate(new TokenBucket(perSecond, limits.burst() + ReliableConstants.SEND_WINDOW, now));
        }
        V2Session session = new V2Session(from, SecureChannel.server(accepted, limits, sessions.v2Memory(), now),
                accepted.clientNonce(), accepted.keyReply(), datagrams, messages,
                TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds()), now);
        session.reachThrough(new V2Outbox(session, this, sessions.v2Memory(), queueFullTimeoutNanos));
        sessions.register(session, accepted.requestedName());
        counters.handshakeCompleted("v2");
        transports.send(from, accepted.keyReply());
        room.arrived(session, accepted.requestedName(), predecessor, false);
    }

    private void onData(PeerId from, V2Frame.Data data, long now) throws FrameException {
        if (!(sessions.session(from) instanceof V2Session session)) {
            throw new FrameException(DropReason.UNKNOWN_SESSION);
        }
        if (!floods.admit(session.datagrams(), from, session, now)) {
            return;
        }
        SecureChannel.Inbound inbound;
        try {
            inbound = session.channel().open(data, now);
        } finally {
            session.measure(sessions.v2Memory());
        }
        room.proven(session); // it holds the keys, so it accepted our identity: it joins the room
        for (byte[] message : inbound.messages()) {
            onMessage(session, message, now);
        }
        if (inbound.closed()) {
            room.end(session);
            return;
        }
        flush(session);
    }

    private void onMessage(V2Session session, byte[] message, long now) {
        String text;
        try {
            text = Utf8.decode(message, DropReason.MALFORMED_FRAME);
        } catch (FrameException e) {
            drops.drop(session.peer(), e.reason());
            return;
        }
        if (floods.admit(session.messages(), session.peer(), session, now)) {
            room.onText(session, text);
        }
    }

    /** Sends what the channel has due, ends the session if its peer stopped acknowledging, re-arms the timer. */
    void flush(V2Session session) {
        SecureChannel channel = session.channel();
        if (!session.open() || channel.closed()) {
            return;
        }
        long now = sessions.now();
        sendAll(session, channel.poll(now));
        session.measure(sessions.v2Memory());
        if (channel.failure().isPresent()) {
            if (room.end(session)) {
                counters.sendFailed();
            }
            return;
        }
        long due = channel.nextWakeNanos(now);
        if (due < session.timerNanos()) {
            session.timerNanos(due);
            scheduler.at(due, () -> wake(session, due));
        }
    }

    void sendAll(V2Session session, List<byte[]> datagrams) {
        for (byte[] datagram : datagrams) {
            transports.send(session.peer(), datagram);
        }
    }

    /**
     * A line for {@code session} was refused (its queue or the memory budget is full): counted; and if it
     * has been behind for too long, it is given up like a peer that stopped acknowledging.
     */
    void refused(V2Session session, boolean givenUp) {
        counters.sendFailed();
        if (givenUp && room.end(session)) {
            counters.sendFailed();
        }
    }

    private void wake(V2Session session, long due) {
        if (session.timerNanos() != due) {
            return; // re-armed for another deadline meanwhile
        }
        session.timerNanos(Long.MAX_VALUE);
        flush(session);
    }
}
