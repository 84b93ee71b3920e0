package io.ciphergram.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;

/**
 * Every live session and half-open classic handshake, keyed by peer, and the sessions by name (unique
 * ignoring case). Maps are kept in access order, so the longest-idle entry is the eldest and is the one
 * evicted when the registry is full. Relay-thread state: every method checks its {@link Confinement};
 * only {@link #liveCount()} may be read from other threads (metrics).
 */
public final class SessionRegistry {

    /** Usernames are 1–32 characters of letters, digits, '_', '-' and '.'. */
    public static final int MAX_NAME_LENGTH = 32;

    private final LinkedHashMap<PeerId, Session> sessions = new LinkedHashMap<>(256, 0.75f, true);
    private final LinkedHashMap<PeerId, ClassicHandshake> handshakes = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<String, Session> byName = new HashMap<>();
    private final int maxSessions;
    private final long idleTimeoutNanos;
    private final double floodPerSecond;
    private final double floodBurst;
    private final LongSupplier clock;
    private final Confinement owner;
    private Session[] members = new Session[0];
    private boolean membersStale;
    private long guestCounter;
    private volatile int liveCount;

    public SessionRegistry(int maxSessions, Duration idleTimeout, double floodPerSecond, double floodBurst,
            LongSupplier clock, Confinement owner) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("ciphergram.session.max-sessions must be at least 1");
        }
        this.maxSessions = maxSessions;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.floodPerSecond = floodPerSecond;
        this.floodBurst = floodBurst;
        this.clock = clock;
        this.owner = owner;
    }

    public long now() {
        return clock.getAsLong();
    }

    /** The live session of {@code peer}, or null. Counts as use for eviction order. */
    public Session session(PeerId peer) {
        owner.check();
        return sessions.get(peer);
    }

    /** The classic handshake in progress from {@code peer}, or null. */
    public ClassicHandshake handshake(PeerId peer) {
        owner.check();
        return handshakes.get(peer);
    }

    public Session byName(String name) {
        owner.check();
        return byName.get(key(name));
    }

    /**
     * The classic flood gate of {@code peer}: its session's or handshake's if it has one, so that
     * restarting a session is no way around flood control, else a fresh one.
     */
    public FloodGate classicGate(PeerId peer) {
        owner.check();
        Session session = sessions.get(peer);
        if (session instanceof ClassicSession classic) {
            return classic.flood();
        }
        ClassicHandshake handshake = handshakes.get(peer);
        if (handshake != null) {
            return handshake.flood();
        }
        return new FloodGate(new TokenBucket(floodPerSecond, floodBurst, now()));
    }

    /**
     * Makes room for a new session or handshake of {@code peer}: ends what it had (a new SYN, key or
     * KeyOffer restarts it) and, while the registry is full, the longest-idle entries.
     *
     * @return the sessions that ended (their rooms must be told); ended handshakes are not sessions
     */
    public List<Session> vacate(PeerId peer) {
        owner.check();
        List<Session> ended = new ArrayList<>();
        Session previous = sessions.remove(peer);
        if (previous != null) {
            end(previous);
            ended.add(previous);
        }
        handshakes.remove(peer);
        while (sessions.size() + handshakes.size() >= maxSessions) {
            Map.Entry<PeerId, Session> oldestSession = eldest(sessions);
            Map.Entry<PeerId, ClassicHandshake> oldestHandshake = eldest(handshakes);
            if (oldestHandshake != null && (oldestSession == null
                    || oldestHandshake.getValue().lastHeardNanos() <= oldestSession.getValue().lastHeardNanos())) {
                handshakes.remove(oldestHandshake.getKey());
            } else {
                sessions.remove(oldestSession.getKey());
                end(oldestSession.getValue());
                ended.add(oldestSession.getValue());
            }
        }
        published();
        return ended;
    }

    /** Records a new handshake; call {@link #vacate} for its peer first. */
    public ClassicHandshake startHandshake(PeerId peer, FloodGate flood) {
        owner.check();
        ClassicHandshake handshake = new ClassicHandshake(peer, flood, now());
        handshakes.put(peer, handshake);
        published();
        return handshake;
    }

    /** The handshake ends without a session (it became one, or it is dropped). */
    public void endHandshake(ClassicHandshake handshake) {
        owner.check();
        handshakes.remove(handshake.peer(), handshake);
        published();
    }

    /**
     * Registers a new session under the requested name or, if it is taken, the next free numeric suffix
     * ({@code alice} → {@code alice2}). Invalid characters become '_' and over-long names are cut, so an
     * unmodified seed client always gets in. Call {@link #vacate} for its peer first.
     *
     * @return the effective name
     */
    public String register(Session session, String requested) {
        owner.check();
        String base = sanitize(requested);
        String name = base;
        for (int n = 2; byName.containsKey(key(name)); n++) {
            String suffix = Integer.toString(n);
            name = base.substring(0, Math.min(base.length(), MAX_NAME_LENGTH - suffix.length())) + suffix;
        }
        add(session, name);
        return name;
    }

    /** Registers a no-handshake client under the next free {@code guest-<n>} name. */
    public String registerGuest(ClassicSession session) {
        owner.check();
        String name;
        do {
            name = "guest-" + (++guestCounter);
        } while (byName.containsKey(key(name)));
        add(session, name);
        return name;
    }

    private void add(Session session, String name) {
        if (session.outbox() == null) {
            throw new IllegalStateException("a session is registered with its outbox");
        }
        handshakes.remove(session.peer());
        Session replaced = sessions.put(session.peer(), session);
        if (replaced != null && replaced != session) {
            throw new IllegalStateException("vacate the peer before registering a new session for it");
        }
        session.named(name);
        byName.put(key(name), session);
        published();
    }

    /** Every registered session, for routing. An array owned by the registry: do not modify it. */
    public Session[] members() {
        owner.check();
        if (membersStale) {
            members = byName.values().toArray(new Session[0]);
            membersStale = false;
        }
        return members;
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

    /** Ends {@code session} if it is still the live one for its peer; true if it was. */
    public boolean remove(Session session) {
        owner.check();
        if (!sessions.remove(session.peer(), session)) {
            return false;
        }
        end(session);
        published();
        return true;
    }

    /** Ends and returns every session idle for longer than its timeout; idle handshakes end silently. */
    public List<Session> expireIdle() {
        owner.check();
        long now = now();
        List<Session> expired = new ArrayList<>();
        Iterator<Session> it = sessions.values().iterator();
        while (it.hasNext()) {
            Session s = it.next();
            if (now - s.lastHeardNanos() >= s.idleTimeoutNanos(idleTimeoutNanos)) {
                it.remove();
                end(s);
                expired.add(s);
            }
        }
        handshakes.values().removeIf(h -> now - h.lastHeardNanos() >= idleTimeoutNanos);
        published();
        return expired;
    }

    private void end(Session session) {
        String name = session.name();
        if (name != null) {
            byName.remove(key(name), session);
        }
        session.ended();
    }

    private void published() {
        membersStale = true;
        liveCount = sessions.size() + handshakes.size();
    }

    private static <K, V> Map.Entry<K, V> eldest(LinkedHashMap<K, V> map) {
        return map.isEmpty() ? null : map.entrySet().iterator().next();
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
