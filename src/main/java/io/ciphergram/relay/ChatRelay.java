package io.ciphergram.relay;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ciphergram.crypto.ClassicKeyTransport;
import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
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
import io.ciphergram.session.Counters;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;

/**
 * The protocol engine: (peer, datagram) in, (peer, datagram) out through each transport's {@link Egress}.
 * A datagram reads top to bottom: flood control → codec decodes → session advances → relay routes →
 * codec encodes per recipient under that recipient's own key → egress sends. Knows nothing of Vert.x.
 */
@ApplicationScoped
public class ChatRelay {

    private static final System.Logger LOG = System.getLogger(ChatRelay.class.getName());

    private final SessionRegistry sessions;
    private final Counters counters;
    private final SecureRandom random = new SecureRandom();
    private final ClassicMessageCipher cipher = new ClassicMessageCipher(random);
    private final Map<String, Egress> egress = new ConcurrentHashMap<>();
    private final double floodPerSecond;
    private final double floodBurst;
    private final ServerHandshake handshake;

    /** A relay that speaks only the classic profile (v2 datagrams are dropped as malformed). */
    public ChatRelay(SessionRegistry sessions, Counters counters, double floodPerSecond, double floodBurst) {
        this(sessions, counters, floodPerSecond, floodBurst, null);
    }

    @Inject
    public ChatRelay(SessionRegistry sessions, Counters counters,
            @ConfigProperty(name = "ciphergram.flood.per-second", defaultValue = "10") double floodPerSecond,
            @ConfigProperty(name = "ciphergram.flood.burst", defaultValue = "20") double floodBurst,
            ServerHandshake handshake) {
        this.sessions = sessions;
        this.counters = counters;
        this.floodPerSecond = floodPerSecond;
        this.floodBurst = floodBurst;
        this.handshake = handshake;
    }

    /** A transport announces how to reach its peers. */
    public void attach(String transport, Egress out) {
        egress.put(transport, out);
    }

    public void detach(String transport) {
        egress.remove(transport);
    }

    /** One datagram from a peer. Never throws: bad input is dropped and counted. */
    public void onDatagram(PeerId from, byte[] datagram) {
        counters.received();
        if (V2Codec.isV2(datagram)) {
            onV2Datagram(from, datagram);
            return;
        }
        Session session = sessions.find(from);
        if (session != null && !admit(session)) {
            return;
        }
        ClassicFrame frame;
        try {
            frame = ClassicCodec.decodeFromClient(datagram,
                    session == null || session.isV2() ? ClassicCodec.ClientExpects.KEY : session.expects());
        } catch (FrameException e) {
            drop(from, session == null && e.reason() == DropReason.OUT_OF_STATE ? DropReason.UNKNOWN_PEER : e.reason());
            return;
        }
        try {
            dispatch(from, session, frame);
        } catch (RuntimeException e) {
            // A bug must cost one datagram, not the event loop; the frame content is not logged.
            LOG.log(Level.ERROR, "failed to handle a " + frame.getClass().getSimpleName() + " frame from " + from, e);
        }
    }

    private void dispatch(PeerId from, Session session, ClassicFrame frame) {
        if (frame instanceof ClassicFrame.Syn) {
            onSyn(from);
        } else if (frame instanceof ClassicFrame.PublicKeyOffer offer) {
            onPublicKey(from, session, offer);
        } else if (session == null) {
            drop(from, DropReason.UNKNOWN_PEER);
        } else if (frame instanceof ClassicFrame.Ack) {
            if (!session.acknowledge()) {
                drop(from, DropReason.OUT_OF_STATE);
            }
        } else if (frame instanceof ClassicFrame.Username username) {
            onUsername(session, username.name());
        } else if (frame instanceof ClassicFrame.Sealed sealed) {
            onSealed(session, sealed);
        } else {
            drop(from, DropReason.OUT_OF_STATE);
        }
    }

    /** Flood control, before any crypto work; one error notice per burst of drops. */
    private boolean admit(Session session) {
        Session.FloodVerdict verdict = session.admit(sessions.now());
        if (verdict == Session.FloodVerdict.ADMITTED) {
            return true;
        }
        drop(session.peer(), DropReason.FLOODED);
        if (verdict == Session.FloodVerdict.DROPPED_NOTICE_DUE && session.established()) {
            send(session, Notices.flooded(floodPerSecond, floodBurst));
        }
        return false;
    }

    private void onSyn(PeerId from) {
        SessionRegistry.Started started = sessions.start(from);
        announceLeft(started.ended());
        transmit(from, ClassicCodec.encode(new ClassicFrame.SynAck()));
    }

    private void onPublicKey(PeerId from, Session session, ClassicFrame.PublicKeyOffer offer) {
        SessionKey key = SessionKey.random(random);
        byte[] keyReply = ClassicCodec.encode(new ClassicFrame.KeyReply(ClassicKeyTransport.wrap(offer.key(), key)));
        Session.State state = session == null ? null : session.state();
        if (state == Session.State.HANDSHAKE || state == Session.State.AWAIT_KEY) {
            // Seed clients read the first datagram after SYN-ACK as the key: nothing else may precede it,
            // and nothing else is sent to this session until it has registered.
            session.keyed(key);
            transmit(from, keyReply);
            return;
        }
        // No-handshake variant (or a new key from a known address): the key alone opens a session.
        SessionRegistry.Started started = sessions.start(from);
        announceLeft(started.ended());
        Session guest = started.session();
        String name = sessions.registerGuest(guest, key);
        transmit(from, keyReply);
        send(guest, Notices.welcomeGuest(name));
        broadcast(guest, Notices.joined(name));
    }

    private void onUsername(Session session, String requested) {
        String name = sessions.register(session, requested);
        send(session, Notices.welcome(requested, SessionRegistry.sanitize(requested), name));
        broadcast(session, Notices.joined(name));
    }

    private void onSealed(Session session, ClassicFrame.Sealed sealed) {
        String text;
        try {
            text = cipher.open(session.key(), sealed.ivAndCiphertext());
        } catch (CryptoFailure e) {
            drop(session.peer(), DropReason.UNDECRYPTABLE);
            return;
        }
        onText(session, text);
    }

    /** A text from any profile: a command, or a message for everyone else. */
    private void onText(Session session, String text) {
        if (text.startsWith("/")) {
            command(session, text);
            return;
        }
        // Guests name themselves inside their text, so theirs is relayed verbatim.
        String line = session.guest() ? text : session.name() + ": " + text;
        if (fits(session, line)) {
            broadcastMessage(session, line);
        }
    }

    private void command(Session session, String text) {
        String[] parts = text.strip().split("\\s+", 3);
        switch (parts[0].toLowerCase(java.util.Locale.ROOT)) {
            case "/who" -> {
                List<String> names = sessions.established().stream().map(Session::name)
                        .sorted(Comparator.comparing((String n) -> n.toLowerCase(java.util.Locale.ROOT)))
                        .toList();
                Notices.online(names, ClassicCodec.MAX_TEXT_BYTES).forEach(line -> send(session, line));
            }
            case "/msg" -> {
                if (parts.length < 3) {
                    send(session, Notices.usage("/msg <name> <text>"));
                    return;
                }
                Session target = sessions.byName(parts[1]);
                if (target == null || !target.established()) {
                    counters.refused();
                    send(session, Notices.noSuchUser(parts[1]));
                    return;
                }
                String line = Notices.privateMessage(session.name(), parts[2]);
                if (fits(session, line)) {
                    deliverMessage(target, line.getBytes(StandardCharsets.UTF_8));
                }
            }
            case "/quit" -> {
                send(session, Notices.BYE);
                if (session.isV2()) {
                    pump(session, sessions.now());
                    // An Ack of everything first, so the client knows its /quit arrived, then Close.
                    List<byte[]> close;
                    synchronized (session) {
                        long now = sessions.now();
                        close = List.of(session.channel().ackNow(now), session.channel().close(now));
                    }
                    close.forEach(datagram -> transmit(session.peer(), datagram));
                }
                if (sessions.remove(session)) {
                    announceLeft(List.of(session));
                }
            }
            case "/help" -> send(session, Notices.HELP);
            default -> send(session, Notices.unknownCommand(parts[0]));
        }
    }

    /** Idle classic sessions expire (these clients send no keepalive); called periodically. */
    public void expireIdle() {
        announceLeft(sessions.expireIdle());
    }

    /**
     * A classic sender's text must fit in one classic datagram (its clients' limit, refused with a notice);
     * a v2 sender's may be up to 64 KiB, and classic recipients get it in parts.
     */
    private boolean fits(Session sender, String line) {
        int bytes = line.getBytes(StandardCharsets.UTF_8).length;
        int max = sender.isV2() ? ReliableConstants.MAX_MESSAGE : ClassicCodec.MAX_TEXT_BYTES;
        if (bytes <= max) {
            return true;
        }
        counters.refused();
        send(sender, Notices.tooLong(bytes, max));
        return false;
    }

    private void broadcastMessage(Session from, String line) {
        byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
        for (Session to : sessions.established()) {
            if (to != from) {
                deliverMessage(to, utf8);
            }
        }
    }

    private void broadcast(Session from, String notice) {
        byte[] utf8 = notice.getBytes(StandardCharsets.UTF_8);
        for (Session to : sessions.established()) {
            if (to != from) {
                deliver(to, utf8);
            }
        }
    }

    private void announceLeft(List<Session> ended) {
        for (Session s : ended) {
            if (s.name() != null) {
                broadcast(s, Notices.left(s.name()));
            }
        }
    }

    private void deliverMessage(Session to, byte[] utf8) {
        if (deliver(to, utf8)) {
            counters.relayed();
        }
    }

    private void send(Session to, String text) {
        deliver(to, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Encodes for the recipient's profile under its own key and sends. */
    private boolean deliver(Session to, byte[] utf8) {
        if (to.isV2()) {
            boolean queued;
            synchronized (to) {
                queued = to.channel().offer(utf8);
            }
            if (!queued) {
                counters.sendFailed(); // the recipient stopped acknowledging long enough to fill its queue
                return false;
            }
            pump(to, sessions.now());
            return true;
        }
        SessionKey key = to.key();
        if (key == null) {
            return false;
        }
        boolean sent = true;
        for (byte[] part : Notices.parts(utf8, ClassicCodec.MAX_TEXT_BYTES)) {
            sent &= transmit(to.peer(), ClassicCodec.encode(new ClassicFrame.Sealed(cipher.seal(key, part))));
        }
        return sent;
    }

    // ---- v2 profile ---------------------------------------------------------------------------------

    private void onV2Datagram(PeerId from, byte[] datagram) {
        if (handshake == null) {
            drop(from, DropReason.MALFORMED_FRAME);
            return;
        }
        long now = sessions.now();
        try {
            V2Frame frame = V2Codec.decode(datagram);
            if (frame instanceof V2Frame.Hello hello) {
                transmit(from, handshake.onHello(from, hello, now));
            } else if (frame instanceof V2Frame.KeyOffer offer) {
                onKeyOffer(from, datagram, offer, now);
            } else if (frame instanceof V2Frame.Data data) {
                onV2Data(from, data, now);
            } else {
                drop(from, DropReason.OUT_OF_STATE); // Retry and KeyReply only travel to clients
            }
        } catch (FrameException e) {
            drop(from, e.reason());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "failed to handle a v2 datagram from " + from, e);
        }
    }

    private void onKeyOffer(PeerId from, byte[] datagram, V2Frame.KeyOffer offer, long now) throws FrameException {
        Session existing = sessions.find(from);
        if (existing != null && existing.isV2() && Arrays.equals(existing.clientNonce(), offer.clientNonce())) {
            // Our KeyReply was lost and the client repeats its offer: the same reply, the same session.
            if (admit(existing)) {
                transmit(from, existing.keyReply());
            }
            return;
        }
        ServerHandshake.Accepted accepted = handshake.onKeyOffer(from, datagram, offer, now);
        V2Frame.Limits limits = handshake.limits();
        SessionRegistry.Started started = sessions.start(from);
        announceLeft(started.ended());
        Session session = started.session();
        SecureChannel channel = new SecureChannel(SecureChannel.Role.SERVER, accepted.sessionId(), accepted.secret(),
                accepted.transcriptHash(), new TokenBucket(0, 1, now),
                TimeUnit.SECONDS.toNanos(limits.keepaliveSeconds()), V2Constants.REKEY_AFTER_MESSAGES,
                V2Constants.REKEY_AFTER_NANOS, now);
        // Datagrams: a full window of fragments plus acks per message; messages: the stated limit plus a
        // window's worth of slack, because loss makes the reliable layer release messages in bunches.
        double perSecond = limits.messagesPerSecond();
        TokenBucket datagrams = new TokenBucket(perSecond * ReliableConstants.MAX_FRAGMENTS * 2,
                Math.max(1, limits.burst()) * (double) ReliableConstants.MAX_FRAGMENTS * 2, now);
        TokenBucket messages = new TokenBucket(perSecond, limits.burst() + ReliableConstants.SEND_WINDOW, now);
        session.establishV2(channel, accepted.clientNonce(), accepted.keyReply(), datagrams, messages,
                TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds()));
        String requested = accepted.requestedName();
        String name = sessions.register(session, requested);
        transmit(from, accepted.keyReply());
        send(session, Notices.welcome(requested, SessionRegistry.sanitize(requested), name));
        broadcast(session, Notices.joined(name));
    }

    private void onV2Data(PeerId from, V2Frame.Data data, long now) throws FrameException {
        Session session = sessions.find(from);
        if (session == null || !session.isV2()) {
            throw new FrameException(DropReason.UNKNOWN_SESSION);
        }
        if (!admit(session)) {
            return;
        }
        SecureChannel.Inbound inbound;
        synchronized (session) {
            inbound = session.channel().open(data, now);
        }
        for (byte[] message : inbound.messages()) {
            onV2Message(session, message, now);
        }
        if (inbound.closed()) {
            if (sessions.remove(session)) {
                announceLeft(List.of(session));
            }
            return;
        }
        pump(session, now);
    }

    private void onV2Message(Session session, byte[] message, long now) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(message)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            drop(session.peer(), DropReason.MALFORMED_FRAME);
            return;
        }
        Session.FloodVerdict verdict = session.admitMessage(now);
        if (verdict != Session.FloodVerdict.ADMITTED) {
            drop(session.peer(), DropReason.FLOODED);
            if (verdict == Session.FloodVerdict.DROPPED_NOTICE_DUE) {
                send(session, Notices.flooded(floodPerSecond, floodBurst));
            }
            return;
        }
        onText(session, text);
    }

    /** Sends what a v2 session has due; ends it if the peer stopped acknowledging. */
    private void pump(Session session, long now) {
        List<byte[]> out;
        boolean failed;
        synchronized (session) {
            SecureChannel channel = session.channel();
            if (channel == null || session.state() == Session.State.CLOSED) {
                return;
            }
            out = channel.poll(now);
            failed = channel.failure().isPresent();
        }
        for (byte[] datagram : out) {
            transmit(session.peer(), datagram);
        }
        if (failed && sessions.remove(session)) {
            counters.sendFailed();
            announceLeft(List.of(session));
        }
    }

    /** Drives v2 timers (retransmissions, delayed acks, pacing); called every few milliseconds. */
    public void tick() {
        long now = sessions.now();
        for (Session session : sessions.v2Sessions()) {
            long due;
            synchronized (session) {
                SecureChannel channel = session.channel();
                due = channel == null ? Long.MAX_VALUE : channel.nextWakeNanos(now);
            }
            if (due <= now) {
                pump(session, now);
            }
        }
    }

    private boolean transmit(PeerId to, byte[] datagram) {
        Egress out = egress.get(to.transport());
        if (out == null) {
            counters.sendFailed();
            return false;
        }
        out.send(to, datagram);
        return true;
    }

    private void drop(PeerId from, DropReason reason) {
        counters.dropped(reason);
        LOG.log(Level.DEBUG, () -> "dropped a datagram from " + from + ": " + reason);
    }
}
