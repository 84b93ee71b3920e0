package io.ciphergram.relay;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import io.ciphergram.cluster.Cluster;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;

/**
 * The one room every profile and transport shares: who receives which text. Its members are the proven
 * sessions (a classic session becomes one with its first message); messages go to every other member,
 * notices to one participant or to all other members; each recipient's {@link io.ciphergram.session.Outbox}
 * encodes the text in its own profile. The room never looks at bytes on the wire and never asks which
 * profile a participant speaks. In a cluster the room spans every instance: what its members here say and
 * do is told to the {@link Cluster}, and what members elsewhere say reaches the members here through
 * {@link ClusterBridge}. Relay-thread state.
 */
final class Room {

    private final SessionRegistry sessions;
    private final Counters counters;
    private final Commands commands;
    private final String floodNotice;
    private final Consumer<PeerId> departed;
    private Cluster cluster = Cluster.SOLO;
    /** Lines relayed to the room so far: the relay measures the latency of datagrams that relayed one. */
    private long linesRelayed;

    /** @param departed told of every session the room ends, so its transport can let go of the peer */
    Room(SessionRegistry sessions, Counters counters, Consumer<PeerId> departed) {
        this.sessions = sessions;
        this.counters = counters;
        this.departed = departed;
        this.commands = new Commands(this, sessions, counters);
        this.floodNotice = Notices.flooded(sessions.limits().floodPerSecond(), sessions.limits().floodBurst());
    }

    /** The other instances this room spans (before anyone arrives). */
    void cluster(Cluster cluster) {
        this.cluster = cluster;
    }

    Cluster cluster() {
        return cluster;
    }

    // ---- membership -------------------------------------------------------------------------------

    /**
     * A new session, registered: it is welcomed, and announced once proven (its first datagram under its
     * key). When it replaces the session {@code predecessor} had at the same address (a re-handshake) and
     * keeps its name, it is one participant continuing: it stays a member and nobody is told anything.
     *
     * @param requested the name it asked for, or null for a guest (named by the server)
     * @param userMustSpeak whether its user joins the room by saying something (classic), rather than by
     *        its client's first record without the user doing anything (v2): the welcome says which
     */
    void arrived(Session session, String requested, Session predecessor, boolean userMustSpeak) {
        boolean continuing = predecessor != null && predecessor.name().equalsIgnoreCase(session.name());
        if (continuing) {
            sessions.prove(session);
        } else if (predecessor != null) {
            left(List.of(predecessor));
        }
        boolean member = session.proven() || !userMustSpeak;
        notice(session, requested == null ? Notices.welcomeGuest(session.name(), member)
                : Notices.welcome(requested, SessionRegistry.sanitize(requested), session.name(), member));
        if (session.proven() && !continuing) {
            joined(session);
        }
    }

    /** A session's peer sent its first datagram under the session key: it joins the room, and everyone else is told. */
    void proven(Session session) {
        if (!session.proven()) {
            sessions.prove(session);
            joined(session);
        }
    }

    /** Members that ended (expiry, /quit, Close, give-up, replacement): everyone else is told. */
    void left(List<Session> ended) {
        for (Session s : ended) {
            if (s.proven() && s.name() != null) {
                broadcast(s, Notices.left(s.name()));
                cluster.left(s.name());
            }
        }
    }

    /** Ends {@code session} if it is still live, and tells the others; true if it was live. */
    boolean end(Session session) {
        if (!sessions.remove(session)) {
            return false;
        }
        left(List.of(session));
        departed.accept(session.peer());
        return true;
    }

    /** The operator removes {@code session}: it is told, says goodbye in its profile's way, and the room is told. */
    void remove(Session session) {
        notice(session, Notices.REMOVED);
        session.outbox().close();
        end(session);
    }

    /**
     * Everyone is told {@code notice}, each session says goodbye in its profile's way (v2: Ack, Close) and
     * ends; nobody is told of anyone leaving, since everyone is.
     */
    void shutdown(String notice) {
        cluster.leave();
        for (Session session : sessions.everyone()) {
            notice(session, notice);
            session.outbox().close();
            sessions.remove(session);
            departed.accept(session.peer());
        }
    }

    // ---- texts --------------------------------------------------------------------------------------

    /** A text from a member: a command, or a message for everyone else under its sender's name. */
    void onText(Session from, String text) {
        from.countIn();
        if (text.startsWith("/")) {
            commands.run(from, text);
            return;
        }
        byte[] line = Notices.message(from.name(), text).getBytes(StandardCharsets.UTF_8);
        if (fits(from, line)) {
            for (Session to : sessions.members()) {
                if (to != from) {
                    message(to, line);
                }
            }
            cluster.line(from.name(), text);
            linesRelayed++;
        }
    }

    long linesRelayed() {
        return linesRelayed;
    }

    /** A private message, already formatted, for one member. */
    void privately(Session from, Session to, String line) {
        byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
        if (fits(from, utf8)) {
            message(to, utf8);
        }
    }

    /** A private message for a member of another instance; false if no other instance has a member {@code to}. */
    boolean privatelyElsewhere(Session from, String to, String text) {
        if (!cluster.memberElsewhere(to)) {
            return false;
        }
        if (fits(from, Notices.privateMessage(from.name(), text).getBytes(StandardCharsets.UTF_8))) {
            cluster.direct(from.name(), to, text);
        }
        return true;
    }

    // ---- from the other instances (ClusterBridge) ---------------------------------------------------

    /** A member of another instance said {@code text}: every member here gets it, under its sender's name. */
    void fromElsewhere(String from, String text) {
        byte[] line = Notices.message(from, text).getBytes(StandardCharsets.UTF_8);
        for (Session to : sessions.members()) {
            message(to, line);
        }
    }

    /** A member of another instance sent {@code to}, a member here, a private message. */
    void privatelyFromElsewhere(String from, Session to, String text) {
        message(to, Notices.privateMessage(from, text).getBytes(StandardCharsets.UTF_8));
    }

    /** A notice for every member here (someone elsewhere joined or left; the link to the others). */
    void tellEveryone(String notice) {
        broadcast(null, notice);
    }

    /**
     * {@code session} had to take another name (another instance holds {@code old}): it is told, and if it
     * is a member the others here and elsewhere see it join under the new one.
     */
    void renamed(Session session, String old) {
        notice(session, Notices.welcome(old, old, session.name(), session.proven()));
        if (session.proven()) {
            cluster.left(old);
            joined(session);
        }
    }

    /** A line from the relay to one participant. */
    void notice(Session to, String text) {
        deliver(to, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A line from the operator to every member: {@code * [server] ...}. */
    void announceFromServer(String text) {
        broadcast(null, Notices.fromServer(text));
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

    private void joined(Session session) {
        broadcast(session, Notices.joined(session.name()));
        cluster.joined(session.name());
    }

    private void broadcast(Session from, String notice) {
        byte[] utf8 = notice.getBytes(StandardCharsets.UTF_8);
        for (Session to : sessions.members()) {
            if (to != from) {
                deliver(to, utf8);
            }
        }
    }

    private void message(Session to, byte[] utf8) {
        if (deliver(to, utf8)) {
            counters.relayed();
        }
    }

    private boolean deliver(Session to, byte[] utf8) {
        to.countOut();
        return to.outbox().send(utf8);
    }
}
