package io.ciphergram.relay;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.ciphergram.session.Counters;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;

/**
 * The one room every profile and transport shares: who receives which text. Messages go to everyone
 * else, notices to one participant or to all others; each recipient's {@link io.ciphergram.session.Outbox}
 * encodes the text in its own profile. The room never looks at bytes on the wire and never asks which
 * profile a participant speaks. Relay-thread state.
 */
final class Room {

    private final SessionRegistry sessions;
    private final Counters counters;
    private final Commands commands;
    private final String floodNotice;

    Room(SessionRegistry sessions, Counters counters, double floodPerSecond, double floodBurst) {
        this.sessions = sessions;
        this.counters = counters;
        this.commands = new Commands(this, sessions, counters);
        this.floodNotice = Notices.flooded(floodPerSecond, floodBurst);
    }

    // ---- membership -------------------------------------------------------------------------------

    /** A session registered (under {@code session.name()}): it is welcomed and everyone else is told. */
    void joined(Session session, String requested) {
        notice(session, Notices.welcome(requested, SessionRegistry.sanitize(requested), session.name()));
        broadcast(session, Notices.joined(session.name()));
    }

    /** A guest (no-handshake classic client) joined. */
    void guestJoined(Session session) {
        notice(session, Notices.welcomeGuest(session.name()));
        broadcast(session, Notices.joined(session.name()));
    }

    /** Sessions that ended (restart, eviction, expiry, /quit, Close, give-up): everyone else is told. */
    void left(List<Session> ended) {
        for (Session s : ended) {
            if (s.name() != null) {
                broadcast(s, Notices.left(s.name()));
            }
        }
    }

    /** Ends {@code session} if it is still live, and tells the others; true if it was live. */
    boolean end(Session session) {
        if (!sessions.remove(session)) {
            return false;
        }
        left(List.of(session));
        return true;
    }

    // ---- texts --------------------------------------------------------------------------------------

    /** A text from a participant: a command, or a message for everyone else. */
    void onText(Session from, String text) {
        if (text.startsWith("/")) {
            commands.run(from, text);
            return;
        }
        // Guests name themselves inside their text, so theirs is relayed verbatim.
        byte[] line = (from.namesItselfInText() ? text : from.name() + ": " + text).getBytes(StandardCharsets.UTF_8);
        if (fits(from, line)) {
            for (Session to : sessions.members()) {
                if (to != from) {
                    message(to, line);
                }
            }
        }
    }

    /** A private message, already formatted, for one participant. */
    void privately(Session from, Session to, String line) {
        byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
        if (fits(from, utf8)) {
            message(to, utf8);
        }
    }

    /** A line from the relay to one participant. */
    void notice(Session to, String text) {
        to.outbox().send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The one notice per burst of flood-dropped datagrams or messages. */
    void slowDown(Session to) {
        notice(to, floodNotice);
    }

    /** A sender's text must fit its own profile's limit; classic recipients get longer ones in parts. */
    private boolean fits(Session sender, byte[] utf8) {
        if (utf8.length <= sender.maxTextBytes()) {
            return true;
        }
        counters.refused();
        notice(sender, Notices.tooLong(utf8.length, sender.maxTextBytes()));
        return false;
    }

    private void broadcast(Session from, String notice) {
        byte[] utf8 = notice.getBytes(StandardCharsets.UTF_8);
        for (Session to : sessions.members()) {
            if (to != from) {
                to.outbox().send(utf8);
            }
        }
    }

    private void message(Session to, byte[] utf8) {
        if (to.outbox().send(utf8)) {
            counters.relayed();
        }
    }
}
