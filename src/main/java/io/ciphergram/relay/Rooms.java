package io.ciphergram.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.ciphergram.cluster.Cluster;
import io.ciphergram.protocol.ChatText;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.RoomName;
import io.ciphergram.protocol.UserName;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Delivery;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.session.V2Session;
import io.ciphergram.store.HistoryLine;
import io.ciphergram.store.Store;

/**
 * Who receives which line, in which room (docs/PROTOCOL.md, "Rooms and history"). Every proven session is in
 * one room at a time ({@code #lobby} first); lines, joins and leaves go to that room's members only, each
 * recipient's {@link io.ciphergram.session.Outbox} rendering the {@link Delivery} in its own profile. The
 * rooms never look at bytes on the wire and never ask which profile a participant speaks.
 *
 * <p>Every line is numbered here, in the order this instance delivers it ({@link LineIds}: ids carry the time
 * in their high bits, so that the ids of the instances of a cluster interleave by time); lines said here go
 * to the other instances through the {@link Cluster}, and theirs come back through {@link #lineSaid}. The
 * room's history in the {@link Store} keeps each line once. On arrival in a room a session is sent that room's recent lines (or, resuming, those after
 * its cursor) before anything live: what arrives for it meanwhile waits.
 *
 * <p>Relay-thread state; the store's and the cluster's answers come back on the relay thread.
 */
final class Rooms {

    /** Deliveries that may wait for one arriving session while its room's history is read. */
    static final int MAX_WAITING_ON_ARRIVAL = 256;
    /** The most history (in text bytes, counted generously) a classic client is sent at once on arrival. */
    static final int MAX_CLASSIC_REPLAY_BYTES = 32 * 1024;

    /** The members of one room here, in the order they arrived. */
    private static final class Members {
        final LinkedHashSet<Session> sessions = new LinkedHashSet<>();
        Session[] array = new Session[0];
        boolean changed;

        Session[] array() {
            if (changed) {
                array = sessions.toArray(Session[]::new);
                changed = false;
            }
            return array;
        }
    }

    private final SessionRegistry sessions;
    private final Counters counters;
    private final Store store;
    private final RoomLimits limits;
    private final LongSupplier millis;
    private final Consumer<PeerId> departed;
    private final LineIds ids = new LineIds();
    private final Map<String, Members> rooms = new HashMap<>();
    /** Sessions whose room's history is being read: what arrives for them waits here. */
    private final Map<Session, List<Delivery>> arriving = new IdentityHashMap<>();
    private final String floodNotice;
    private Cluster cluster = Cluster.SOLO;
    /** Whether the store is shared with the other instances (then each keeps only the lines said on it). */
    private boolean storeShared;
    private long linesRelayed;

    /** @param departed told of every session the rooms end, so its transport can let go of the peer */
    Rooms(SessionRegistry sessions, Counters counters, Store store, RoomLimits limits, LongSupplier millis,
            Consumer<PeerId> departed) {
        this.sessions = sessions;
        this.counters = counters;
        this.store = store;
        this.limits = limits;
        this.millis = millis;
        this.departed = departed;
        this.floodNotice = Notices.flooded(sessions.limits().floodPerSecond(), sessions.limits().floodBurst());
    }

    /** @param sharedStore whether the instances share one store (Redis) rather than each its own */
    void cluster(Cluster other, boolean sharedStore) {
        this.cluster = other;
        this.storeShared = sharedStore;
    }

    /** A line said on another instance. */
    void lineFromElsewhere(String room, long timeMillis, String from, String text) {
        lineSaid(room, timeMillis, from, text, !storeShared);
    }

    Cluster cluster() {
        return cluster;
    }

    Store store() {
        return store;
    }

    long now() {
        return millis.getAsLong();
    }

    // ---- arriving and leaving -----------------------------------------------------------------------

    /**
     * A new classic session, registered: it is welcomed, and enters {@code #lobby} once proven (its first
     * message that decrypts). When it replaces the session {@code predecessor} had at the same address (a
     * candidate that proved its key) and keeps its name, it is one participant continuing: it takes the
     * predecessor's place in its room and nobody is told anything.
     *
     * @param requested the name it asked for, or null for a guest (named by the server)
     */
    void arrived(ClassicSession session, String requested, Session predecessor) {
        boolean continuing = predecessor != null && UserName.same(predecessor.name(), session.name());
        if (continuing) {
            sessions.prove(session);
            replace(predecessor, session);
        } else {
            departed(predecessor);
        }
        boolean member = session.proven();
        notice(session, requested == null ? Notices.welcomeGuest(session.name(), member)
                : Notices.welcome(requested, UserName.sanitize(requested), session.name(), member,
                        sessions.boundToAnother(UserName.sanitize(requested), session)));
        if (member && !continuing) {
            enter(session, RoomName.LOBBY, -1, false); // a candidate that proved its key, as a new participant
        }
    }

    /** A classic session's first message that decrypts proved its address: it enters {@code #lobby}. */
    void proven(Session session) {
        if (!session.proven()) {
            sessions.prove(session);
            enter(session, RoomName.LOBBY, -1, false);
        }
    }

    /**
     * A v2 session named by {@link Names}: it is proven, welcomed (the first message it is sent) and enters
     * its room: {@code #lobby}, or the room it resumes, with only the lines after its cursor.
     */
    void welcomed(V2Session session, String welcome) {
        sessions.prove(session);
        notice(session, welcome);
        V2Frame.Resume resume = session.resume();
        String room = resume == null ? null : RoomName.canonical(resume.room());
        if (room != null && mayEnter(room)) {
            enter(session, room, resume.lastLineId(), !room.equals(RoomName.LOBBY));
        } else {
            enter(session, RoomName.LOBBY, -1, false);
        }
    }

    /** A v2 re-handshake continues a member: it takes its place in its room, and nobody is told. */
    void continues(V2Session session, Session predecessor, String welcome) {
        sessions.prove(session);
        replace(predecessor, session);
        notice(session, welcome);
    }

    /** {@code successor} continues {@code predecessor} (same participant, new session): same room, nobody told. */
    private void replace(Session predecessor, Session successor) {
        String room = predecessor.room() != null ? predecessor.room() : RoomName.LOBBY;
        Members members = rooms.get(room);
        if (members != null && members.sessions.remove(predecessor)) {
            members.changed = true;
        }
        predecessor.room(null);
        arriving.remove(predecessor);
        takePlace(successor, room);
    }

    /** {@code /join #room}: leaves its room (its members are told), enters the other, with its history. */
    void join(Session session, String text) {
        String room = RoomName.canonical(text);
        if (room == null) {
            notice(session, Notices.noSuchRoomName(text));
            return;
        }
        if (room.equals(session.room())) {
            notice(session, Notices.inRoom(room));
            return;
        }
        if (!mayEnter(room)) {
            notice(session, rooms.containsKey(room) ? Notices.roomFull(room) : Notices.tooManyRooms());
            return;
        }
        leaveRoom(session, true);
        enter(session, room, -1, true);
    }

    /** Whether one more member fits in {@code room} (and, if it is new here, one more room). */
    private boolean mayEnter(String room) {
        Members target = rooms.get(room);
        return target == null ? rooms.size() < limits.maxRooms() : target.sessions.size() < limits.maxMembers();
    }

    /**
     * Puts {@code session} in {@code room}: its members (here and elsewhere) see it join, it is told which
     * room it is in if {@code tell}, and it is sent the room's history ({@code afterId} ≥ 0: only the lines
     * after it) before anything live.
     */
    private void enter(Session session, String room, long afterId, boolean tell) {
        takePlace(session, room);
        tellRoom(room, Notices.joined(session.name()), session);
        cluster.joined(session.name(), room);
        if (tell) {
            notice(session, Notices.inRoom(room));
        }
        if (limits.replayLines() == 0) {
            return;
        }
        arriving.put(session, new ArrayList<>());
        var reading = afterId >= 0 ? store.history().after(room, afterId, limits.replayLines())
                : store.history().recent(room, limits.replayLines());
        reading.whenComplete((lines, failure) -> {
            List<Delivery> waiting = arriving.remove(session);
            if (!session.open()) {
                return;
            }
            if (lines != null && !lines.isEmpty() && room.equals(session.room())) {
                replay(session, room, lines);
            }
            if (waiting != null) {
                waiting.forEach(d -> send(session, d));
            }
        });
    }

    private void replay(Session session, String room, List<HistoryLine> all) {
        ids.seen(room, all.get(all.size() - 1).id());
        List<HistoryLine> lines = session instanceof ClassicSession ? newestWithin(all, MAX_CLASSIC_REPLAY_BYTES) : all;
        boolean framed = session instanceof V2Session v2 && v2.framed();
        if (!framed) {
            send(session, new Delivery.Notice(now(), Notices.earlierIn(room)));
        }
        for (HistoryLine l : lines) {
            send(session, new Delivery.Line(l.id(), l.timeMillis(), room, l.from(), l.text(), true, false));
        }
        if (!framed) {
            send(session, new Delivery.Notice(now(), Notices.END_OF_EARLIER));
        }
    }

    /**
     * The newest of {@code lines} whose texts take at most {@code bytes} together, oldest first. A classic
     * client's datagrams are not acknowledged or paced: a burst of history larger than its socket's buffer
     * (the original clients keep the system's default, some 200 KiB) would lose what follows it.
     */
    private static List<HistoryLine> newestWithin(List<HistoryLine> lines, int bytes) {
        int from = lines.size();
        int total = 0;
        while (from > 0) {
            HistoryLine l = lines.get(from - 1);
            total += l.from().length() + 2 + l.text().length() * 3 + 8;
            if (total > bytes) {
                break;
            }
            from--;
        }
        return lines.subList(from, lines.size());
    }

    private void takePlace(Session session, String room) {
        session.room(room);
        Members members = rooms.computeIfAbsent(room, r -> new Members());
        members.sessions.add(session);
        members.changed = true;
    }

    /** {@code session} leaves its room for good: its members (here and elsewhere) are told. */
    private void leaveRoom(Session session) {
        leaveRoom(session, false);
    }

    /**
     * {@code session} leaves its room; {@code moving} to another (which the other instances learn from its
     * arrival there, {@link Cluster#joined}), else for good.
     */
    private void leaveRoom(Session session, boolean moving) {
        String room = session.room();
        if (room == null) {
            return;
        }
        Members members = rooms.get(room);
        if (members != null && members.sessions.remove(session)) {
            members.changed = true;
            if (members.sessions.isEmpty()) {
                rooms.remove(room);
                ids.forget(room);
            }
        }
        session.room(null);
        arriving.remove(session);
        if (session.name() != null) {
            tellRoom(room, Notices.left(session.name()), session);
            if (!moving) {
                cluster.left(session.name(), room);
            }
        }
    }

    /** The session {@code predecessor} had at an address was replaced by a new one (or none): it left its room. */
    void departed(Session predecessor) {
        if (predecessor != null) {
            leaveRoom(predecessor);
        }
    }

    /** Members that ended (expiry, /quit, Close, give-up, replacement): their rooms are told. */
    void left(List<Session> ended) {
        ended.forEach(this::leaveRoom);
    }

    /** Ends {@code session} if it is still live, and tells its room; true if it was live. */
    boolean end(Session session) {
        if (!sessions.remove(session)) {
            return false;
        }
        leaveRoom(session);
        departed.accept(session.peer());
        return true;
    }

    /** The operator removes {@code session}: it is told, says goodbye in its profile's way, and its room is told. */
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
            arriving.remove(session);
            notice(session, notice);
            session.outbox().close();
            sessions.remove(session);
            departed.accept(session.peer());
        }
        rooms.clear();
    }

    // ---- lines --------------------------------------------------------------------------------------

    /** A line from a member for its room (not a command: {@link Commands} has those). */
    void say(Session from, String text) {
        String room = from.room();
        if (room == null) {
            return;
        }
        String clean = ChatText.clean(text);
        if (!fits(from, Notices.line(from.name(), clean).getBytes(StandardCharsets.UTF_8))) {
            return;
        }
        long time = now();
        lineSaid(room, time, from.name(), clean, true);
        cluster.line(room, from.name(), clean, time);
        linesRelayed++;
    }

    /**
     * A line of {@code room} (said here, or on another instance at {@code timeMillis} by its clock), numbered
     * here: every member here but its sender gets it, and the room's history keeps it if {@code keep} (a
     * store the instances share keeps each line once, from the instance it was said on).
     */
    void lineSaid(String room, long timeMillis, String from, String text, boolean keep) {
        long id = ids.next(room, timeMillis);
        Members members = rooms.get(room);
        if (members != null) {
            Delivery line = new Delivery.Line(id, timeMillis, room, from, text, false, false);
            for (Session to : members.array()) {
                if (!UserName.same(to.name(), from) && send(to, line)) {
                    counters.relayed();
                }
            }
        }
        if (keep) {
            store.history().append(new HistoryLine(id, room, from, text, timeMillis));
        }
    }

    long linesRelayed() {
        return linesRelayed;
    }

    // ---- what there is --------------------------------------------------------------------------------

    /** The names of {@code room}'s members, here and on every other instance, one per name ignoring case. */
    List<String> membersOf(String room) {
        Map<String, String> everyone = new HashMap<>();
        Members here = rooms.get(room);
        if (here != null) {
            for (Session s : here.sessions) {
                everyone.put(UserName.canonical(s.name()), s.name());
            }
        }
        for (String name : cluster.members(room)) {
            everyone.putIfAbsent(UserName.canonical(name), name);
        }
        return everyone.values().stream().sorted(String.CASE_INSENSITIVE_ORDER).toList();
    }

    /** Every room with members, here or elsewhere, and how many (a name on two instances counted twice). */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new HashMap<>(cluster.rooms());
        rooms.forEach((room, members) -> counts.merge(room, members.sessions.size(), Integer::sum));
        return counts;
    }

    /** Members of {@code room} here, for routing. */
    Session[] localMembers(String room) {
        Members members = rooms.get(room);
        return members == null ? new Session[0] : members.array();
    }

    // ---- notices --------------------------------------------------------------------------------------

    /** A line from the relay to one participant. */
    void notice(Session to, String text) {
        send(to, new Delivery.Notice(now(), text));
    }

    /** A notice for every member of {@code room} here but {@code except}. */
    void tellRoom(String room, String text, Session except) {
        Delivery notice = new Delivery.Notice(now(), text);
        for (Session to : localMembers(room)) {
            if (to != except) {
                send(to, notice);
            }
        }
    }

    /** A notice for every member here, in every room (the link to the others, an operator's announcement). */
    void tellEveryone(String text) {
        Delivery notice = new Delivery.Notice(now(), text);
        for (Session to : sessions.members()) {
            send(to, notice);
        }
    }

    /** A line from the operator to every member: {@code * [server] ...}. */
    void announceFromServer(String text) {
        tellEveryone(Notices.fromServer(text));
    }

    /** The notice a flooder gets (at most every 5 s). */
    void slowDown(Session to) {
        notice(to, floodNotice);
    }

    /**
     * {@code session} had to take another name (another instance, or an identity, holds {@code old}): it is
     * told, and if it is a member its room sees it join under the new one.
     */
    void renamed(Session session, String old, boolean bound) {
        notice(session, Notices.welcome(old, old, session.name(), session.proven(), bound));
        if (session.proven() && session.room() != null) {
            // Those here saw it join under the old name: they see it join under the new one (as after a
            // conflict between instances, where the old name stays with its other holder).
            String room = session.room();
            cluster.left(old, room);
            tellRoom(room, Notices.joined(session.name()), session);
            cluster.joined(session.name(), room);
        }
    }

    /** A sender's text must fit its own profile's limit; classic recipients get longer ones in parts. */
    boolean fits(Session sender, byte[] utf8) {
        if (utf8.length <= sender.maxTextBytes()) {
            return true;
        }
        counters.refused();
        notice(sender, Notices.tooLong(utf8.length, sender.maxTextBytes()));
        return false;
    }

    /**
     * Hands {@code delivery} to {@code to}'s outbox; while its room's history is being read, it waits (the
     * oldest waiting is dropped, counted, past {@link #MAX_WAITING_ON_ARRIVAL}).
     */
    boolean send(Session to, Delivery delivery) {
        List<Delivery> waiting = arriving.get(to);
        if (waiting != null) {
            if (waiting.size() >= MAX_WAITING_ON_ARRIVAL) {
                waiting.remove(0);
                counters.queueRefused();
            }
            waiting.add(delivery);
            return true;
        }
        to.countOut();
        return to.outbox().deliver(delivery);
    }
}
