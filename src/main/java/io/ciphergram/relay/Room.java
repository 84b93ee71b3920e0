package io.ciphergram.relay;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.v2.ReliableConstants;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.session.Counters;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;

/**
 * The one room every profile shares: who receives what (messages, private messages, notices, commands),
 * and the way out, where each recipient's copy is encoded in that recipient's profile under its own key.
 * The ingress classes turn datagrams into texts and sessions; this class never looks at incoming bytes.
 */
final class Room {

    private static final System.Logger LOG = System.getLogger(ChatRelay.class.getName());

    private final SessionRegistry sessions;
    private final Counters counters;
    private final ClassicMessageCipher classicCipher;
    private final Map<String, Egress> egress = new ConcurrentHashMap<>();
    private final double floodPerSecond;
    private final double floodBurst;

    Room(SessionRegistry sessions, Counters counters, SecureRandom random, double floodPerSecond, double floodBurst) {
        this.sessions = sessions;
        this.counters = counters;
        this.classicCipher = new ClassicMessageCipher(random);
        this.floodPerSecond = floodPerSecond;
        this.floodBurst = floodBurst;
    }

    SessionRegistry sessions() {
        return sessions;
    }

    ClassicMessageCipher classicCipher() {
        return classicCipher;
    }

    void attach(String transport, Egress out) {
        egress.put(transport, out);
    }

    void detach(String transport) {
        egress.remove(transport);
    }

    // ---- membership -------------------------------------------------------------------------------

    /** A session registered under {@code name}: it is welcomed and everyone else is told. */
    void joined(Session session, String requested, String name) {
        send(session, Notices.welcome(requested, SessionRegistry.sanitize(requested), name));
        broadcast(session, Notices.joined(name));
    }

    /** A guest (no-handshake classic client) joined under {@code name}. */
    void guestJoined(Session session, String name) {
        send(session, Notices.welcomeGuest(name));
        broadcast(session, Notices.joined(name));
    }

    /** Sessions that ended (restart, eviction, expiry, /quit, Close, give-up): everyone else is told. */
    void left(List<Session> ended) {
        for (Session s : ended) {
            if (s.name() != null) {
                broadcast(s, Notices.left(s.name()));
            }
        }
    }

    void expireIdle() {
        left(sessions.expireIdle());
    }

    // ---- texts --------------------------------------------------------------------------------------

    /** A text from any profile: a command, or a message for everyone else. */
    void onText(Session session, String text) {
        if (text.startsWith("/")) {
            command(session, text);
            return;
        }
        // Guests name themselves inside their text, so theirs is relayed verbatim.
        byte[] utf8 = (session.guest() ? text : session.name() + ": " + text).getBytes(StandardCharsets.UTF_8);
        if (fits(session, utf8)) {
            for (Session to : sessions.established()) {
                if (to != session) {
                    deliverMessage(to, utf8);
                }
            }
        }
    }

    private void command(Session session, String text) {
        String[] parts = text.strip().split("\\s+", 3);
        switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "/who" -> {
                List<String> names = sessions.established().stream().map(Session::name)
                        .sorted(Comparator.comparing((String n) -> n.toLowerCase(Locale.ROOT)))
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
                byte[] line = Notices.privateMessage(session.name(), parts[2]).getBytes(StandardCharsets.UTF_8);
                if (fits(session, line)) {
                    deliverMessage(target, line);
                }
            }
            case "/quit" -> {
                send(session, Notices.BYE);
                if (session.isV2()) {
                    flush(session, sessions.now());
                    // An Ack of everything first, so the client knows its /quit arrived, then Close.
                    List<byte[]> close;
                    synchronized (session) {
                        long now = sessions.now();
                        close = List.of(session.channel().ackNow(now), session.channel().close(now));
                    }
                    close.forEach(datagram -> transmit(session.peer(), datagram));
                }
                if (sessions.remove(session)) {
                    left(List.of(session));
                }
            }
            case "/help" -> send(session, Notices.HELP);
            default -> send(session, Notices.unknownCommand(parts[0]));
        }
    }

    /**
     * A classic sender's text must fit in one classic datagram (its clients' limit, refused with a notice);
     * a v2 sender's may be up to 64 KiB, and classic recipients get it in parts.
     */
    private boolean fits(Session sender, byte[] utf8) {
        int bytes = utf8.length;
        int max = sender.isV2() ? ReliableConstants.MAX_MESSAGE : ClassicCodec.MAX_TEXT_BYTES;
        if (bytes <= max) {
            return true;
        }
        counters.refused();
        send(sender, Notices.tooLong(bytes, max));
        return false;
    }

    // ---- flood control ------------------------------------------------------------------------------

    /** Flood control on a datagram, before any crypto work; one error notice per burst of drops. */
    boolean admitDatagram(Session session) {
        return admitted(session, session.admit(sessions.now()), session.established());
    }

    /** v2 flood control on a reassembled message. */
    boolean admitMessage(Session session, long now) {
        return admitted(session, session.admitMessage(now), true);
    }

    private boolean admitted(Session session, Session.FloodVerdict verdict, boolean canNotify) {
        if (verdict == Session.FloodVerdict.ADMITTED) {
            return true;
        }
        drop(session.peer(), DropReason.FLOODED);
        if (verdict == Session.FloodVerdict.DROPPED_NOTICE_DUE && canNotify) {
            send(session, Notices.flooded(floodPerSecond, floodBurst));
        }
        return false;
    }

    // ---- the way out --------------------------------------------------------------------------------

    private void broadcast(Session from, String notice) {
        byte[] utf8 = notice.getBytes(StandardCharsets.UTF_8);
        for (Session to : sessions.established()) {
            if (to != from) {
                deliver(to, utf8);
            }
        }
    }

    private void deliverMessage(Session to, byte[] utf8) {
        if (deliver(to, utf8)) {
            counters.relayed();
        }
    }

    void send(Session to, String text) {
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
            flush(to, sessions.now());
            return true;
        }
        SessionKey key = to.key();
        if (key == null) {
            return false;
        }
        boolean sent = true;
        for (byte[] part : Notices.parts(utf8, ClassicCodec.MAX_TEXT_BYTES)) {
            sent &= transmit(to.peer(), ClassicCodec.encode(new ClassicFrame.Sealed(classicCipher.seal(key, part))));
        }
        return sent;
    }

    /** Sends what a v2 session has due; ends it if the peer stopped acknowledging. */
    void flush(Session session, long now) {
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
            left(List.of(session));
        }
    }

    boolean transmit(PeerId to, byte[] datagram) {
        Egress out = egress.get(to.transport());
        if (out == null) {
            counters.sendFailed();
            return false;
        }
        out.send(to, datagram);
        return true;
    }

    void drop(PeerId from, DropReason reason) {
        counters.dropped(reason);
        LOG.log(Level.DEBUG, () -> "dropped a datagram from " + from + ": " + reason);
    }
}
