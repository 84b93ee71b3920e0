package io.ciphergram.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;

/**
 * Every live session and half-open classic handshake, keyed by peer, the sessions by name (unique
 * ignoring case), and what each source holds ({@link SourceTable}). Relay-thread state: every method checks
 * its {@link Confinement}; only the counts ({@link #liveCount()}, {@link #count},
 * {@link #pendingHandshakes()}, {@link #abandonedHandshakes()}) may be read from other threads.
 *
 * <p>Capacity, in three tiers, so that no flood of forged datagrams can push out a working user: half-open
 * handshakes and unproven sessions (which anyone can create from a forged address) are capped per source,
 * where a newcomer displaces the oldest of its own kind, and are the only entries ever evicted when the
 * registry is full (oldest half-open first, then oldest unproven). Proven sessions are never evicted: when
 * the registry is full of them, a newcomer is refused.
 */
public final class SessionRegistry {

    /** Usernames are 1–32 characters of letters, digits, '_', '-' and '.'. */
    public static final int MAX_NAME_LENGTH = 32;

    private final Map<PeerId, Session> sessions = new HashMap<>();
    /** Insertion order: the oldest half-open handshake first. */
    private final LinkedHashMap<PeerId, ClassicHandshake> handshakes = new LinkedHashMap<>();
    /** Insertion order: the oldest unproven session first. */
    private final LinkedHashMap<PeerId, ClassicSession> unproven = new LinkedHashMap<>();
    private final Map<String, Session> byName = new HashMap<>();
    private final SourceTable sources = new SourceTable();
    private final MemoryBudget v2Memory;
    private final SessionLimits limits;
    private final LongSupplier clock;
    private final Confinement owner;
    private Session[] members = new Session[0];
    private boolean membersStale;
    private long guestCounter;
    private volatile int liveCount;
    private volatile int pendingHandshakes;
    /** Sessions by "profile transport", readable from any thread (metrics, the admin API). */
    private final Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();
    private Consumer<Session> onAdded = s -> { };
    private Consumer<Session> onEnded = s -> { };
    private NameClaims claims = NameClaims.LOCAL;
    private volatile long abandonedHandshakes;

    public SessionRegistry(SessionLimits limits, LongSupplier clock, Confinement owner) {
        this.limits = limits;
        this.clock = clock;
        this.owner = owner;
        this.v2Memory = new MemoryBudget(limits.v2MemoryBudget());
    }

    /** What v2 sessions together hold, within {@link SessionLimits#v2MemoryBudget()}. */
    public MemoryBudget v2Memory() {
        return v2Memory;
    }

    public long now() {
        return clock.getAsLong();
    }

    /** Told of every session registered and every session that ends, whatever ends it (for logs and metrics). */
    public void listen(Consumer<Session> added, Consumer<Session> ended) {
        this.onAdded = added;
        this.onEnded = ended;
    }

    /**
     * Where else names are held (the other instances of a cluster): no name held there is given out here,
     * and every name a session here takes or gives up is told to it.
     */
    public void claimNamesWith(NameClaims claims) {
        this.claims = claims;
    }

    /** Live sessions of one profile on one transport (any thread). */
    public int count(String profile, String transport) {
        AtomicInteger n = byKind.get(profile + " " + transport);
        return n == null ? 0 : n.get();
    }

    /** Classic handshakes under way (any thread). */
    public int pendingHandshakes() {
        return pendingHandshakes;
    }

    /** Classic handshakes that ended without becoming a session (timed out, displaced, evicted, refused). */
    public long abandonedHandshakes() {
        return abandonedHandshakes;
    }

    public SessionLimits limits() {
        return limits;
    }

    // ---- lookups ------------------------------------------------------------------------------------

    /** The live session of {@code peer}, or null. */
    public Session session(PeerId peer) {
        owner.check();
        return sessions.get(peer);
    }

    /** The classic handshake in progress from {@code peer}, or null. */
    public ClassicHandshake handshake(PeerId peer) {
        owner.check();
        return handshakes.get(peer);
    }

    /** The session holding {@code name} (proven or not), or null. */
    public Session byName(String name) {
        owner.check();
        return byName.get(key(name));
    }

    /** The room: every proven session, for routing. An array owned by the registry: do not modify it. */
    public Session[] members() {
        owner.check();
        if (membersStale) {
            members = sessions.values().stream().filter(Session::proven).toArray(Session[]::new);
            membersStale = false;
        }
        return members;
    }

    // ---- per source ---------------------------------------------------------------------------------

    /** A datagram of {@code bytes} arrived from {@code from}: it adds to its source's credit. */
    public void received(PeerId from, int bytes) {
        owner.check();
        sources.received(from.source(), bytes);
    }

    /**
     * Whether a datagram of {@code bytes} may go to {@code to}, which has not proven its address: it is
     * paid from the credit of its source. Proven peers never need to ask.
     */
    public boolean spend(PeerId to, int bytes) {
        owner.check();
        return to.connection() != 0 || sources.spend(to.source(), bytes);
    }

    /** A handshake token of {@code from}'s source (a classic key, a v2 Hello or KeyOffer); false if there is none. */
    public boolean allowHandshake(PeerId from) {
        owner.check();
        SourceTable.Entry e = sources.get(from.source());
        if (e.handshakes == null) {
            e.handshakes = new TokenBucket(limits.handshakesPerSecond(), limits.handshakeBurst(), now());
        }
        return e.handshakes.tryTake(now());
    }

    /**
     * The classic flood gate of {@code peer}: its session's or handshake's if it has one, so that
     * restarting a session is no way around flood control, else a fresh one.
     */
    public FloodGate classicGate(PeerId peer) {
        owner.check();
        if (sessions.get(peer) instanceof ClassicSession classic) {
            return classic.flood();
        }
        ClassicHandshake handshake = handshakes.get(peer);
        if (handshake != null) {
            return handshake.flood();
        }
        return new FloodGate(new TokenBucket(limits.floodPerSecond(), limits.floodBurst(), now()));
    }

    // ---- handshakes ---------------------------------------------------------------------------------

    /**
     * A SYN from {@code peer} starts a handshake. It replaces the peer's earlier handshake and unproven
     * session, but not a proven session: the handshake is then only a candidate to replace it. A source at
     * its limit of half-open handshakes loses its oldest one to this.
     *
     * @return the handshake, or null if there is no room (the caller drops and counts the SYN)
     */
    public ClassicHandshake startHandshake(PeerId peer, FloodGate flood) {
        owner.check();
        Session current = sessions.get(peer);
        if (current != null && !current.proven()) {
            end(current);
        }
        ClassicHandshake earlier = handshakes.get(peer);
        if (earlier != null) {
            endHandshake(earlier);
        }
        SourceTable.Entry source = sources.get(peer.source());
        if (source.halfOpen.size() >= limits.handshakesPerSource()) {
            endHandshake(source.halfOpen.peekFirst());
        }
        if (!makeRoom()) {
            published();
            return null;
        }
        ClassicHandshake handshake = new ClassicHandshake(peer, flood, now());
        handshakes.put(peer, handshake);
        source.halfOpen.addLast(handshake);
        sources.changed(peer.source(), source);
        published();
        return handshake;
    }

    /** The handshake ends: it became a session, was replaced, or timed out. */
    public void endHandshake(ClassicHandshake handshake) {
        owner.check();
        if (handshakes.remove(handshake.peer(), handshake)) {
            if (!handshake.completed()) {
                abandonedHandshakes++;
            }
            SourceTable.Entry source = sources.get(handshake.peer().source());
            source.halfOpen.remove(handshake);
            sources.changed(handshake.peer().source(), source);
            published();
        }
    }

    // ---- sessions -----------------------------------------------------------------------------------

    /**
     * Ends whatever {@code peer} has (a session of any kind and a handshake) before a session of proven
     * origin replaces it: a v2 session, whose cookie proved the address.
     *
     * @return the session it had, if that one was proven (its room must be told), else null
     */
    public Session vacate(PeerId peer) {
        owner.check();
        ClassicHandshake handshake = handshakes.get(peer);
        if (handshake != null) {
            endHandshake(handshake);
        }
        Session current = sessions.get(peer);
        if (current == null) {
            return null;
        }
        boolean announced = current.proven();
        end(current);
        published();
        return announced ? current : null;
    }

    /**
     * Whether a new proven session of {@code peer} would find room, without changing anything: checked
     * before expensive handshake work.
     */
    public boolean couldAdmit(PeerId peer) {
        owner.check();
        Session current = sessions.get(peer);
        SourceTable.Entry source = sources.get(peer.source());
        int own = current == null ? 0 : 1;
        boolean sourceRoom = source.sessions - own < limits.sessionsPerSource();
        boolean registryRoom = sessions.size() + handshakes.size() - own < limits.maxSessions()
                || !handshakes.isEmpty() || !unproven.isEmpty();
        return sourceRoom && registryRoom;
    }

    /**
     * Makes room for one more session of {@code peer}, which must have no proven session: ends its unproven
     * session and handshake, displaces its source's oldest unproven session if {@code unprovenNewcomer} and
     * the source is at its limit, and evicts half-open and unproven entries while the registry is full.
     *
     * @return false if there is no room: the source has its limit of sessions, or the registry is full of
     *         proven ones
     */
    public boolean makeRoomFor(PeerId peer, boolean unprovenNewcomer) {
        owner.check();
        Session current = sessions.get(peer);
        if (current != null) {
            if (current.proven()) {
                throw new IllegalStateException("vacate a proven session before replacing it");
            }
            end(current);
        }
        ClassicHandshake handshake = handshakes.get(peer);
        if (handshake != null) {
            endHandshake(handshake);
        }
        SourceTable.Entry source = sources.get(peer.source());
        if (unprovenNewcomer && source.unproven.size() >= limits.unprovenPerSource()) {
            end(source.unproven.peekFirst());
        }
        boolean room = source.sessions < limits.sessionsPerSource() && makeRoom();
        published();
        return room;
    }

    /**
     * Registers a new session under the requested name or, if it is taken, the next free numeric suffix
     * ({@code alice} → {@code alice2}). Invalid characters become '_' and over-long names are cut, so an
     * unmodified seed client always gets in. Make room for it first.
     *
     * @return the effective name
     */
    public String register(Session session, String requested) {
        owner.check();
        String name = freeName(sanitize(requested));
        add(session, name);
        return name;
    }

    /**
     * Gives {@code session} another name because another instance holds its own: the next free one by the
     * suffix rule ({@code alice} → {@code alice2}), or for a guest the next free guest name.
     *
     * @return the new name, or null if the session is no longer live
     */
    public String rename(Session session) {
        owner.check();
        if (sessions.get(session.peer()) != session) {
            return null;
        }
        String old = session.name();
        String name = session instanceof ClassicSession classic && classic.guest() ? nextGuestName() : freeName(old);
        byName.remove(key(old), session);
        session.named(name);
        byName.put(key(name), session);
        claims.released(old);
        claims.claimed(name);
        return name;
    }

    /** {@code base} if nobody here or elsewhere holds it, else {@code base} with the first free number. */
    private String freeName(String base) {
        String name = base;
        for (int n = 2; taken(name); n++) {
            String suffix = Integer.toString(n);
            name = base.substring(0, Math.min(base.length(), MAX_NAME_LENGTH - suffix.length())) + suffix;
        }
        return name;
    }

    private boolean taken(String name) {
        return byName.containsKey(key(name)) || claims.takenElsewhere(name);
    }

    /** Registers a no-handshake client under the next free {@code guest-<n>} name. Make room for it first. */
    public String registerGuest(ClassicSession session) {
        owner.check();
        String name = nextGuestName();
        add(session, name);
        return name;
    }

    private String nextGuestName() {
        String name;
        do {
            name = "guest-" + (++guestCounter);
        } while (taken(name));
        return name;
    }

    private void add(Session session, String name) {
        if (session.outbox() == null) {
            throw new IllegalStateException("a session is registered with its outbox");
        }
        if (sessions.putIfAbsent(session.peer(), session) != null) {
            throw new IllegalStateException("make room for a session before registering it");
        }
        session.named(name);
        byName.put(key(name), session);
        SourceTable.Entry source = sources.get(session.peer().source());
        source.sessions++;
        if (session instanceof ClassicSession classic && !session.proven()) {
            // Anyone can open these from a forged address: they are capped per source and evicted first.
            unproven.put(session.peer(), classic);
            source.unproven.addLast(classic);
        }
        sources.changed(session.peer().source(), source);
        byKind.computeIfAbsent(kind(session), k -> new AtomicInteger()).incrementAndGet();
        published();
        claims.claimed(name);
        onAdded.accept(session);
    }

    private static String kind(Session session) {
        return session.profile() + " " + session.peer().transport();
    }

    /** A session's peer sent something under its key: it joins the room. */
    public void prove(Session session) {
        owner.check();
        if (session.proven() || sessions.get(session.peer()) != session) {
            return;
        }
        session.prove();
        if (session instanceof ClassicSession classic && unproven.remove(session.peer(), classic)) {
            sources.get(session.peer().source()).unproven.remove(classic);
        }
        published();
    }

    /** Ends {@code session} if it is still the live one for its peer; true if it was. */
    public boolean remove(Session session) {
        owner.check();
        if (sessions.get(session.peer()) != session) {
            return false;
        }
        end(session);
        published();
        return true;
    }

    /**
     * Ends every session idle for longer than its timeout, every unproven session and candidate older than
     * the unproven timeout, and every other half-open handshake older than the handshake timeout.
     *
     * @return the proven sessions that ended (their rooms must be told); the others were never announced
     */
    public List<Session> expireIdle() {
        owner.check();
        long now = now();
        List<Session> expired = new ArrayList<>();
        List<Session> ending = new ArrayList<>();
        long unprovenTimeout = limits.unprovenTimeout().toNanos();
        for (Session s : sessions.values()) {
            boolean idle = now - s.lastHeardNanos() >= s.idleTimeoutNanos(limits.idleTimeout().toNanos());
            if (idle || (!s.proven() && now - s.startedNanos() >= unprovenTimeout)) {
                ending.add(s);
            }
        }
        for (Session s : ending) {
            if (s.proven()) {
                expired.add(s);
            }
            end(s);
        }
        long handshakeTimeout = limits.handshakeTimeout().toNanos();
        List<ClassicHandshake> stale = handshakes.values().stream().filter(h -> now - h.startedNanos()
                >= (h.state() == ClassicHandshake.State.AWAIT_PROOF ? unprovenTimeout : handshakeTimeout)).toList();
        stale.forEach(this::endHandshake);
        published();
        return expired;
    }

    /** Every session, members or not (a copy, so the caller may end them). */
    public List<Session> everyone() {
        owner.check();
        return new ArrayList<>(sessions.values());
    }

    /** Live sessions and handshakes. */
    public int size() {
        owner.check();
        return sessions.size() + handshakes.size();
    }

    /** Live sessions and handshakes, as last published by the relay thread: readable from any thread. */
    public int liveCount() {
        return liveCount;
    }

    /** Sources remembered (with live entries or recently seen); for tests of the memory bound. */
    int sourcesRemembered() {
        return sources.size();
    }

    /** Evicts half-open, then unproven entries, oldest first, while the registry is full. */
    private boolean makeRoom() {
        while (sessions.size() + handshakes.size() >= limits.maxSessions()) {
            if (!handshakes.isEmpty()) {
                endHandshake(handshakes.values().iterator().next());
            } else if (!unproven.isEmpty()) {
                end(unproven.values().iterator().next());
            } else {
                return false;
            }
        }
        return true;
    }

    private void end(Session session) {
        sessions.remove(session.peer(), session);
        String name = session.name();
        if (name != null) {
            byName.remove(key(name), session);
            claims.released(name);
        }
        SourceTable.Entry source = sources.get(session.peer().source());
        source.sessions--;
        if (session instanceof ClassicSession classic && unproven.remove(session.peer(), classic)) {
            source.unproven.remove(classic);
        }
        if (session instanceof V2Session v2) {
            v2.release(v2Memory);
        }
        sources.changed(session.peer().source(), source);
        byKind.get(kind(session)).decrementAndGet();
        session.ended();
        membersStale = true;
        onEnded.accept(session);
    }

    private void published() {
        membersStale = true;
        liveCount = sessions.size() + handshakes.size();
        pendingHandshakes = handshakes.size();
    }

    /** The valid name closest to {@code requested}: invalid characters become '_', at most 32 kept. */
    public static String sanitize(String requested) {
        StringBuilder sb = new StringBuilder();
        requested.codePoints().limit(MAX_NAME_LENGTH).forEach(cp -> {
            boolean ok = cp < 128 && (Character.isLetterOrDigit(cp) || cp == '_' || cp == '-' || cp == '.');
            sb.append(ok ? (char) cp : '_');
        });
        return sb.length() == 0 ? "user" : sb.toString();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
