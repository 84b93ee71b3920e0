package io.ciphergram.relay;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
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

    @Inject
    public ChatRelay(SessionRegistry sessions, Counters counters,
            @ConfigProperty(name = "ciphergram.flood.per-second", defaultValue = "10") double floodPerSecond,
            @ConfigProperty(name = "ciphergram.flood.burst", defaultValue = "20") double floodBurst) {
        this.sessions = sessions;
        this.counters = counters;
        this.floodPerSecond = floodPerSecond;
        this.floodBurst = floodBurst;
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
        Session session = sessions.find(from);
        if (session != null && !admit(session)) {
            return;
        }
        ClassicFrame frame;
        try {
            frame = ClassicCodec.decodeFromClient(datagram,
                    session == null ? ClassicCodec.ClientExpects.KEY : session.expects());
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

    private boolean fits(Session sender, String line) {
        int bytes = line.getBytes(StandardCharsets.UTF_8).length;
        if (ClassicCodec.fits(bytes)) {
            return true;
        }
        counters.refused();
        send(sender, Notices.tooLong(bytes, ClassicCodec.MAX_TEXT_BYTES));
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

    /** Seals under the recipient's own key and sends. */
    private boolean deliver(Session to, byte[] utf8) {
        SessionKey key = to.key();
        if (key == null) {
            return false;
        }
        byte[] datagram = ClassicCodec.encode(new ClassicFrame.Sealed(cipher.seal(key, utf8)));
        return transmit(to.peer(), datagram);
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
