package io.ciphergram.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ObjIntConsumer;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;

/**
 * Every live session and half-open classic handshake, keyed by peer, and the room's members (the proven
 * sessions). Three jobs are its parts' own: names ({@link NameBook}), who gets in and who makes room
 * ({@link Admission}), and what each source holds and may still do ({@link SourceGuard}); the registry
 * keeps them in step, so that a caller cannot forget one.
 *
 * <p>A session is registered only through a {@link Place}, which {@link #admit} makes after the room for it
 * was found: there is no way to register without making room. A session is made with its outbox (its
 * constructor takes the factory), so none is ever registered unreachable.
 *
 * <p>Relay-thread state: every method checks its {@link Confinement}; only the counts ({@link #liveCount()},
 * {@link #count}, {@link #pendingHandshakes()}, {@link #abandonedHandshakes()}) may be read from other
 * threads.
 */
public final class SessionRegistry {

    /**
     * Room made for one new session of one peer, by {@link #admit}: the only way to register one. Used once.
     */
    public static final class Place {
        private final PeerId peer;
        private boolean used;

        private Place(PeerId peer) {
            this.peer = peer;
        }

        public PeerId peer() {
            return peer;
        }
    }

    private final Map<PeerId, Session> sessions = new HashMap<>();
    private final Map<PeerId, ClassicHandshake> handshakes = new HashMap<>();
    private final NameBook names = new NameBook();
    private final SourceGuard sources;
    private final Admission admission;
    private final Admission.Ends ends = new Admission.Ends() {
        @Override
        public void end(ClassicHandshake handshake) {
            endHandshake(handshake);
        }

        @Override
        public void end(Session session) {
            SessionRegistry.this.end(session);
        }
    };
    /** The room, in the order its members joined. */
    private final LinkedHashSet<Session> members = new LinkedHashSet<>();
    private Session[] memberArray = new Session[0];
    private boolean membersChanged;
    private final MemoryBudget v2Memory;
    private final SessionLimits limits;
    private final LongSupplier clock;
    private final Confinement owner;
    private volatile int liveCount;
    private volatile int pendingHandshakes;
    private volatile long abandonedHandshakes;
    /** Sessions by "profile transport", readable from any thread (metrics, the admin API). */
    private final Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();
    private Consumer<Session> onAdded = s -> { };
    private Consumer<Session> onEnded = s -> { };
    private ObjIntConsumer<PeerId> onHeldLost = (peer, n) -> { };

    public SessionRegistry(SessionLimits limits, LongSupplier clock, Confinement owner) {
        this.limits = limits;
        this.clock = clock;
        this.owner = owner;
        this.v2Memory = new MemoryBudget(limits.v2MemoryBudget());
        this.sources = new SourceGuard(limits);
        this.admission = new Admission(limits, sources);
    }

    /** What v2 sessions together hold, within {@link SessionLimits#v2MemoryBudget()}. */
    public MemoryBudget v2Memory() {
        return v2Memory;
    }

    public long now() {
        return clock.getAsLong();
    }

    public SessionLimits limits() {
        return limits;
    }

    /** Told of every session registered and every session that ends, whatever ends it (for logs and metrics). */
    public void listen(Consumer<Session> added, Consumer<Session> ended) {
        this.onAdded = added;
        this.onEnded = ended;
    }

    /** Told when a handshake ends holding datagrams it received while its key reply was made (they are lost). */
    public void listenHeldLost(ObjIntConsumer<PeerId> lost) {
        this.onHeldLost = lost;
    }

    /**
     * Where else names are held (the other instances of a cluster): no name held there is given out here,
     * and every name a session here takes or gives up is told to it.
     */
    public void claimNamesWith(NameClaims claims) {
        owner.check();
        names.claimWith(claims);
    }

    // ---- counts, any thread ---------------------------------------------------------------------------

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

    /** Live sessions and handshakes, as last published by the relay thread: readable from any thread. */
    public int liveCount() {
        return liveCount;
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

    /** The session holding {@code name} ({@link UserName#same}), or null; null for text that is no name. */
    public Session byName(String name) {
        owner.check();
        return names.holder(name);
    }

    /** The room: every proven session, in the order they joined. An array owned by the registry: do not modify it. */
    public Session[] members() {
        owner.check();
        if (membersChanged) {
            memberArray = members.toArray(Session[]::new);
            membersChanged = false;
        }
        return memberArray;
    }

    /** Every session, members or not (a copy, so the caller may end them). */
    public List<Session> everyone() {
        owner.check();
        return new ArrayList<>(sessions.values());
    }

    /** Live sessions and handshakes. */
    public int size() {
        owner.check();
        return admission.size();
    }

    // ---- per source ---------------------------------------------------------------------------------

    /** A datagram of {@code bytes} arrived from {@code from}: it adds to its source's credit. */
    public void received(PeerId from, int bytes) {
        owner.check();
        sources.received(from.source(), bytes);
    }

    /**
     * Whether a datagram of {@code bytes} may go to {@code to}, which has not proven its address: it is
     * paid from the credit of its source. Proven peers never need to ask; nor does a connection transport,
     * whose connection proves the address.
     */
    public boolean spend(PeerId to, int bytes) {
        owner.check();
        return to.connection() != 0 || sources.spend(to.source(), bytes);
    }

    /** A handshake token of {@code from}'s source (a classic key, a v2 KeyOffer with a valid cookie). */
    public boolean allowHandshake(PeerId from) {
        owner.check();
        return sources.takeHandshake(from.source(), now());
    }

    /** A token of {@code from}'s source for answering a v2 Hello. */
    public boolean allowHello(PeerId from) {
        owner.check();
        return sources.takeHello(from.source(), now());
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
     * session, but not a proven session: the handshake is then only a candidate to replace it.
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
        ClassicHandshake handshake = null;
        if (admission.roomForHandshake(peer, ends)) {
            handshake = new ClassicHandshake(peer, flood, now());
            handshakes.put(peer, handshake);
            admission.handshakeStarted(handshake);
        }
        published();
        return handshake;
    }

    /** The handshake ends: it became a session, was replaced, or timed out. */
    public void endHandshake(ClassicHandshake handshake) {
        owner.check();
        if (!handshakes.remove(handshake.peer(), handshake)) {
            return;
        }
        admission.handshakeEnded(handshake);
        if (!handshake.completed()) {
            abandonedHandshakes++;
        }
        int held = handshake.dropHeld();
        if (held > 0) {
            onHeldLost.accept(handshake.peer(), held);
        }
        published();
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
        end(current);
        published();
        return current.proven() ? current : null;
    }

    /** Whether a new proven session of {@code peer} would find room, changing nothing (before expensive work). */
    public boolean couldAdmit(PeerId peer) {
        owner.check();
        return admission.couldAdmit(peer, sessions.containsKey(peer) ? 1 : 0);
    }

    /**
     * Makes room for one new session of {@code peer}: ends its unproven session and its handshake, displaces
     * its source's oldest unproven session if {@code unprovenNewcomer} and the source is at its limit, and
     * evicts half-open and unproven entries while the registry is full.
     *
     * @return the place to register the new session in; null if there is none: {@code peer} still has a
     *         proven session (vacate it first, or make the newcomer a candidate), its source or block has its
     *         limit of sessions, or the registry is full of proven ones
     */
    public Place admit(PeerId peer, boolean unprovenNewcomer) {
        owner.check();
        Session current = sessions.get(peer);
        if (current != null && current.proven()) {
            return null;
        }
        if (current != null) {
            end(current);
        }
        ClassicHandshake handshake = handshakes.get(peer);
        if (handshake != null) {
            endHandshake(handshake);
        }
        boolean room = admission.roomForSession(peer, unprovenNewcomer, ends);
        published();
        return room ? new Place(peer) : null;
    }

    /**
     * Registers a new session in its place under the requested name or, if it is taken, the next free
     * numeric suffix ({@code alice} → {@code alice2}); invalid characters become '_' and over-long names are
     * cut, so an unmodified seed client always gets in.
     *
     * @return the effective name
     */
    public String register(Place place, Session session, String requested) {
        owner.check();
        add(place, session);
        String name = names.claim(session, requested);
        onAdded.accept(session);
        return name;
    }

    /** Registers a no-handshake client in its place under the next free {@code guest-<n>} name. */
    public String registerGuest(Place place, ClassicSession session) {
        owner.check();
        add(place, session);
        String name = names.claimGuest(session);
        onAdded.accept(session);
        return name;
    }

    /**
     * Registers a v2 session in its place without a name: an unproven v2 session holds none, so that
     * sessions that never authenticate cannot squat names. It takes one ({@link #name}) when it proves itself.
     */
    public void registerUnnamed(Place place, V2Session session) {
        owner.check();
        add(place, session);
        onAdded.accept(session);
    }

    /**
     * Gives an unnamed session the name it asks for, by the rules of {@link #register}.
     *
     * @return the effective name, or null if the session is no longer live
     */
    public String name(Session session, String requested) {
        owner.check();
        if (sessions.get(session.peer()) != session) {
            return null;
        }
        if (session.name() != null) {
            return session.name();
        }
        return names.claim(session, requested);
    }

    /** What the store says of {@code name}: bound to the identity {@code key}, or (null) not bound. */
    public void bound(String name, byte[] key) {
        owner.check();
        names.bound(name, key);
    }

    /** Whether {@code name} is bound to an identity other than {@code session}'s, as far as this instance knows. */
    public boolean boundToAnother(String name, Session session) {
        owner.check();
        return names.boundToAnother(name, session);
    }

    /**
     * Gives {@code session} another name because another instance holds its own: the next free one by the
     * suffix rule, or for a guest the next free guest name.
     *
     * @return the new name, or null if the session is no longer live
     */
    public String rename(Session session) {
        owner.check();
        return sessions.get(session.peer()) == session ? names.reclaim(session) : null;
    }

    /**
     * Gives {@code session} the name it asked for after all (a guest that names itself in its texts), by the
     * same rules as {@link #register}.
     *
     * @return the effective name, or null if the session is no longer live
     */
    public String rename(Session session, String requested) {
        owner.check();
        return sessions.get(session.peer()) == session ? names.rename(session, requested) : null;
    }

    private void add(Place place, Session session) {
        if (place.used || !place.peer.equals(session.peer()) || sessions.containsKey(place.peer)) {
            throw new IllegalArgumentException("a place is made for one session of its own peer, once");
        }
        place.used = true;
        sessions.put(session.peer(), session);
        admission.sessionAdded(session);
        if (session.proven()) {
            members.add(session);
            membersChanged = true;
        }
        byKind.computeIfAbsent(kind(session), k -> new AtomicInteger()).incrementAndGet();
        published();
    }

    /** A session's peer sent something under its key: it joins the room. */
    public void prove(Session session) {
        owner.check();
        if (session.proven() || sessions.get(session.peer()) != session) {
            return;
        }
        session.prove();
        admission.sessionProven(session);
        members.add(session);
        membersChanged = true;
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
     * Ends every session idle for longer than its timeout, every unproven session older than its profile's
     * unproven timeout (and every classic candidate older than the classic one), and every other half-open
     * handshake older than the handshake timeout. Every session that stays is told it was swept (a v2 session
     * then forgets its KeyReply once no client can still want it: {@link V2Session#swept}).
     *
     * @return the proven sessions that ended (their rooms must be told); the others were never announced
     */
    public List<Session> expireIdle() {
        owner.check();
        long now = now();
        List<Session> ending = new ArrayList<>();
        for (Session s : sessions.values()) {
            boolean idle = now - s.lastHeardNanos() >= s.idleTimeoutNanos(limits.idleTimeout().toNanos());
            if (idle || (!s.proven() && now - s.startedNanos() >= unprovenTimeout(s))) {
                ending.add(s);
            } else {
                s.swept(now);
            }
        }
        List<Session> expired = new ArrayList<>();
        for (Session s : ending) {
            if (s.proven()) {
                expired.add(s);
            }
            end(s);
        }
        long classicUnproven = limits.unprovenTimeout().toNanos();
        long handshakeTimeout = limits.handshakeTimeout().toNanos();
        handshakes.values().stream().filter(h -> now - h.startedNanos()
                >= (h.state() == ClassicHandshake.State.AWAIT_PROOF ? classicUnproven : handshakeTimeout))
                .toList().forEach(this::endHandshake);
        published();
        return expired;
    }

    private long unprovenTimeout(Session session) {
        return (session instanceof V2Session ? limits.v2UnprovenTimeout() : limits.unprovenTimeout()).toNanos();
    }

    /** Sources remembered (with live entries or recently seen); for tests of the memory bound. */
    int sourcesRemembered() {
        return sources.size();
    }

    private void end(Session session) {
        sessions.remove(session.peer(), session);
        names.release(session);
        admission.sessionEnded(session);
        if (members.remove(session)) {
            membersChanged = true;
        }
        if (session instanceof V2Session v2) {
            v2.memory().release();
        }
        byKind.get(kind(session)).decrementAndGet();
        session.ended();
        onEnded.accept(session);
    }

    private static String kind(Session session) {
        return session.profile() + " " + session.peer().transport();
    }

    private void published() {
        liveCount = admission.size();
        pendingHandshakes = admission.halfOpenCount();
    }
}
