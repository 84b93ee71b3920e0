package io.ciphergram.relay;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.Dropped;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.Utf8;
import io.ciphergram.protocol.v2.AppCodec;
import io.ciphergram.protocol.v2.AppFrame;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.ReliableEvents;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.FloodGate;
import io.ciphergram.session.MemoryBudget;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.protocol.UserName;
import io.ciphergram.session.V2Session;

/**
 * v2 datagrams in: the cookie handshake (no state and no RSA before a valid cookie; the RSA and signing
 * work then runs off the relay thread), then records through each session's {@link SecureChannel}, and
 * reassembled messages to {@link Commands} (texts) and {@link Privately} (app frames). What a record makes due (an Ack, a Ping answer) leaves through
 * the send side, {@link V2Sender}.
 *
 * <p>A new session is unproven until its client's first authenticated record: until then it is sent
 * nothing but its KeyReply (again, if the KeyOffer is repeated) and Ping answers, holds no name, may be
 * evicted, and ends after {@code ciphergram.v2.unproven-timeout}. That record shows its client holds the
 * keys and accepted the server's identity: its name is then looked up ({@link Names}), and it is named,
 * welcomed and enters its room; what it sends meanwhile waits.
 *
 * <p>A client that asked for frames ({@code framed}) may send app frames (first byte below 0x20, which no
 * text line has): Seal, GetBundle and PublishPrekey; anything else, or one that does not decode, is dropped
 * ({@code malformed_app_frame}). Its texts stay plain UTF-8.
 */
final class V2Ingress {

    /** How late a live client's keepalive may be before its silence says it is lost ({@link #lostElsewhere}). */
    static final long LATE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final SessionRegistry sessions;
    /**
     * Each address's KeyOffer (by client nonce) whose reply a worker is making; as many as the offload holds.
     * Relay-thread state, as is everything here.
     */
    private final Map<PeerId, byte[]> beingAnswered = new HashMap<>();
    private final Rooms room;
    private final Names names;
    private final Commands commands;
    private final Privately privately;
    private final TextLines text;
    private final Transports transports;
    private final Drops drops;
    private final FloodControl floods;
    private final Counters counters;
    /** One for every session (a method reference made per session would be an object per session). */
    private final ReliableEvents reliableEvents;
    private final Offload offload;
    private final ServerHandshake handshake;
    private final V2Sender sender;

    /** @param handshake null to refuse v2 (every v2 datagram is then dropped as malformed) */
    V2Ingress(SessionRegistry sessions, Rooms room, Names names, Commands commands, Privately privately,
            Transports transports, Drops drops, FloodControl floods, Counters counters, Offload offload,
            ServerHandshake handshake, V2Sender sender, TextLines text) {
        this.sessions = sessions;
        this.room = room;
        this.names = names;
        this.commands = commands;
        this.privately = privately;
        this.text = text;
        this.transports = transports;
        this.drops = drops;
        this.floods = floods;
        this.counters = counters;
        this.reliableEvents = counters::reliable;
        this.offload = offload;
        this.handshake = handshake;
        this.sender = sender;
    }

    void onDatagram(PeerId from, byte[] datagram) throws Dropped {
        if (handshake == null) {
            throw new Refused(DropReason.MALFORMED_FRAME);
        }
        long now = sessions.now();
        V2Frame frame = V2Codec.decode(datagram);
        if (frame instanceof V2Frame.Hello hello) {
            // One HMAC and a reply smaller than the Hello: answered from a budget of its own, so that forged
            // Hellos cannot spend the tokens a KeyOffer needs.
            if (!sessions.allowHello(from)) {
                throw new Refused(DropReason.HANDSHAKE_RATE_LIMITED);
            }
            transports.send(from, handshake.onHello(from, hello, now));
        } else if (frame instanceof V2Frame.KeyOffer offer) {
            onKeyOffer(from, datagram, offer, now);
        } else if (frame instanceof V2Frame.Data data) {
            onData(from, data, now);
        } else {
            throw new Refused(DropReason.OUT_OF_STATE); // Retry and KeyReply only travel to clients
        }
    }

    /**
     * Every KeyOffer, a repeated one included, shows a valid cookie first (proof that its sender receives at
     * its address, so a forger cannot spend its victim's handshake tokens), then takes a handshake token.
     */
    private void onKeyOffer(PeerId from, byte[] datagram, V2Frame.KeyOffer offer, long now) throws Dropped {
        handshake.admit(from, offer, now);
        if (!sessions.allowHandshake(from)) {
            throw new Refused(DropReason.HANDSHAKE_RATE_LIMITED);
        }
        if (sessions.session(from) instanceof V2Session existing && existing.madeBy(offer.clientNonce())) {
            // Our KeyReply was lost and the client repeats its offer: the same reply, the same session. Once
            // the session is proven its client had the reply: a late or replayed copy of the offer is dropped.
            byte[] reply = existing.keyReply();
            if (reply == null) {
                throw new Refused(DropReason.OUT_OF_STATE);
            }
            transports.send(from, reply);
            return;
        }
        byte[] nonce = offer.clientNonce();
        if (Arrays.equals(beingAnswered.get(from), nonce)) {
            // Repeated before its reply is made (a slow server): a second session would replace the one whose
            // reply the client takes. The reply goes out when it is made.
            throw new Refused(DropReason.OUT_OF_STATE);
        }
        if (!sessions.couldAdmit(from)) {
            throw new Refused(DropReason.SERVER_FULL); // before the RSA work, not after
        }
        beingAnswered.put(from, nonce);
        boolean taken = offload.submit(() -> handshake.accept(datagram, offer), accepted -> {
            beingAnswered.remove(from, nonce);
            established(from, accepted);
        }, e -> {
            beingAnswered.remove(from, nonce);
            counters.handshakeFailed("v2");
            drops.drop(from, e instanceof Dropped f ? f.reason() : DropReason.BAD_PUBLIC_KEY);
        });
        if (!taken) {
            beingAnswered.remove(from, nonce);
            throw new Refused(DropReason.HANDSHAKE_RATE_LIMITED);
        }
    }

    /**
     * Back on the relay thread with the signed reply: the session starts. It replaces whatever the address
     * had (the cookie proved the client owns it). Replacing a v2 member that had the name it asks for, it is
     * that participant continuing (a client that lost its session): it keeps the name (alice2 stays alice2), the flood gates and
     * its place in the room, and nobody is told anything. It continues a member at another address too, if
     * that one is {@linkplain #lostElsewhere lost} (a client that had to change ports). Otherwise it starts
     * unproven and unnamed.
     */
    private void established(PeerId from, ServerHandshake.Accepted accepted) {
        long now = sessions.now();
        V2Frame.Limits limits = handshake.limits();
        Session predecessor = sessions.vacate(from);
        boolean continuing = predecessor instanceof V2Session && predecessor.name() != null
                && UserName.givenFor(predecessor.name(), accepted.requestedName());
        if (!continuing) {
            V2Session lost = lostElsewhere(accepted, limits, now);
            if (lost != null) {
                room.departed(predecessor); // whatever this address had is not the one continued
                predecessor = sessions.vacate(lost.peer());
                continuing = true;
            }
        }
        SessionRegistry.Place place = sessions.admit(from, !continuing);
        if (place == null) {
            counters.handshakeFailed("v2");
            drops.drop(from, DropReason.SERVER_FULL);
            room.departed(predecessor);
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
            double perMessage = V2Constants.MAX_FRAGMENTS * 2.0;
            datagrams = new FloodGate(new TokenBucket(perSecond * perMessage, Math.max(1, limits.burst()) * perMessage, now));
            messages = new FloodGate(new TokenBucket(perSecond, limits.burst() + V2Constants.SEND_WINDOW, now));
        }
        MemoryBudget.Holder memory = sessions.v2Memory().holder(from.source());
        V2Session session = new V2Session(from, SecureChannel.server(accepted, limits, memory, reliableEvents, now), memory,
                accepted.clientNonce(), accepted.keyReply(), accepted.requestedName(), accepted.identity(),
                accepted.extensions(), datagrams, messages, TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds()), now,
                s -> new V2Outbox(s, sender, text));
        counters.handshakeCompleted("v2");
        if (continuing && sameIdentity(predecessor, session)) {
            String requested = accepted.requestedName();
            String name = sessions.register(place, session, predecessor.name());
            transports.send(from, accepted.keyReply());
            room.continues(session, predecessor,
                    Notices.welcome(requested, UserName.sanitize(requested), name, true, false));
        } else {
            sessions.registerUnnamed(place, session);
            transports.send(from, accepted.keyReply());
            room.departed(predecessor);
        }
    }

    /**
     * The member a new session with an identity is, at another UDP address: it holds the name the new one
     * asks for under the same identity, and has been silent for longer than a live client is (it sends at
     * least every keepalive, so {@link #LATE_NANOS} after that it is lost). That is a client that gave its
     * port up (the console client does, after a try that failed) while the server still held its
     * session. A live one is never taken: a second client of one identity gets the next free name, as
     * before. A gateway session ends with its connection, so it is never looked for.
     */
    private V2Session lostElsewhere(ServerHandshake.Accepted accepted, V2Frame.Limits limits, long now) {
        if (accepted.identity() == null) {
            return null;
        }
        Session holder = sessions.byName(UserName.sanitize(accepted.requestedName()));
        if (!(holder instanceof V2Session member) || !PeerId.UDP.equals(member.peer().transport())
                || !accepted.identity().equals(member.identity())) {
            return null;
        }
        long silent = now - member.lastHeardNanos();
        return silent > TimeUnit.SECONDS.toNanos(limits.keepaliveSeconds()) + LATE_NANOS ? member : null;
    }

    /** A continuing session is the same participant only if it proves the same identity (or neither has one). */
    private static boolean sameIdentity(Session predecessor, V2Session successor) {
        return Objects.equals(predecessor.identity(), successor.identity()); // constant time, no copies
    }

    /**
     * A record: the session id is compared first (free, and an off-path forger does not know it), then the
     * record must authenticate before it counts for anything. Flood control counts only records that
     * opened; one that does not is paid from the address's failure budget, and while that is spent nothing
     * more is tried ({@link FloodGate}).
     */
    private void onData(PeerId from, V2Frame.Data data, long now) throws Dropped {
        if (!(sessions.session(from) instanceof V2Session session) || data.sessionId() != session.channel().sessionId()) {
            throw new Refused(DropReason.UNKNOWN_SESSION);
        }
        FloodGate gate = session.datagrams();
        if (!gate.mayTry(now)) {
            throw new Refused(DropReason.FORGED_FLOOD);
        }
        if (!gate.hasRoom(now)) {
            // Only records that opened spend it, so this is the sender's own flood: dropped before it is
            // opened (and so before it is acknowledged: the sender's reliable layer sends it again later).
            floods.admit(gate, from, session, now);
            return;
        }
        SecureChannel.Inbound inbound;
        try {
            inbound = session.channel().open(data, now);
        } catch (Dropped e) {
            if (e.reason() == DropReason.AUTH_FAILED) {
                gate.failed(now);
            }
            throw e;
        } finally {
            session.measure();
        }
        gate.admit(now); // takes the token hasRoom saw
        if (!session.proven()) {
            // Its client holds the keys, so it accepted our identity: its name is looked up, then it is named,
            // welcomed and enters its room.
            names.join(session, this::named, this::handle);
        }
        for (byte[] message : inbound.messages()) {
            onMessage(session, message, now);
        }
        if (inbound.closed()) {
            room.end(session);
            return;
        }
        sender.flush(session);
    }

    /** {@code session} has its name: it is welcomed, enters its room, and is handed its mailbox. */
    private void named(V2Session session, String welcome) {
        room.welcomed(session, welcome);
        privately.arrived(session);
    }

    private void onMessage(V2Session session, byte[] message, long now) {
        if (!floods.admit(session.messages(), session.peer(), session, now)) {
            return;
        }
        if (names.looking(session)) {
            names.hold(session, message);
        } else if (session.proven()) {
            handle(session, message);
        }
    }

    /** A message from a member: a text line or command, or (framed clients) an app frame. */
    private void handle(V2Session session, byte[] message) {
        try {
            if (session.framed() && AppCodec.isFrame(message)) {
                AppFrame frame = AppCodec.decode(message);
                session.countIn();
                if (frame instanceof AppFrame.Seal seal) {
                    privately.seal(session, seal);
                } else if (frame instanceof AppFrame.GetBundle get) {
                    privately.bundle(session, get.name());
                } else if (frame instanceof AppFrame.PublishPrekey publish) {
                    privately.publish(session, publish);
                } else {
                    throw new Refused(DropReason.MALFORMED_APP_FRAME); // a server → client frame
                }
                return;
            }
            commands.text(session, Utf8.decode(message, DropReason.BAD_TEXT));
        } catch (Dropped e) {
            drops.drop(session.peer(), e.reason());
        }
    }
}
