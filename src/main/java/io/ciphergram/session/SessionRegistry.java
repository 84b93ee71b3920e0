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
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;

/**
 * Every live session, keyed by peer and by name (unique ignoring case). Safe under concurrency: membership
 * changes happen under the registry's lock, in access order so that the longest-idle session is the
 * eldest entry and is the one evicted when the registry is full.
 */
@ApplicationScoped
public class SessionRegistry {

    /** Usernames: 1–32 letters, digits, '_', '-', '.'. */
    public static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    public static final int MAX_NAME_LENGTH = 32;

    private final LinkedHashMap<PeerId, Session> byPeer = new LinkedHashMap<>(256, 0.75f, true);
    private final Map<String, Session> byName = new HashMap<>();
    private final int maxSessions;
    private final long idleTimeoutNanos;
    private final double floodPerSecond;
    private final double floodBurst;
    private final LongSupplier clock;
    private long guestCounter;

    @Inject
    public SessionRegistry(
            @ConfigProperty(name = "ciphergram.session.max-sessions", defaultValue = "10000") int maxSessions,
            @ConfigProperty(name = "ciphergram.session.idle-timeout", defaultValue = "1h") Duration idleTimeout,
            @ConfigProperty(name = "ciphergram.flood.per-second", defaultValue = "10") double floodPerSecond,
            @ConfigProperty(name = "ciphergram.flood.burst", defaultValue = "20") double floodBurst) {
        this(maxSessions, idleTimeout, floodPerSecond, floodBurst, System::nanoTime);
    }

    public SessionRegistry(int maxSessions, Duration idleTimeout, double floodPerSecond, double floodBurst,
            LongSupplier clock) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("ciphergram.session.max-sessions must be at least 1");
        }
        this.maxSessions = maxSessions;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.floodPerSecond = floodPerSecond;
        this.floodBurst = floodBurst;
        this.clock = clock;
    }

    public long now() {
        return clock.getAsLong();
    }

    public synchronized Session find(PeerId peer) {
        return byPeer.get(peer);
    }

    /**
     * Starts a new session for {@code peer}, replacing any it had (a new SYN or key restarts a session).
     * The flood bucket carries over, so restarting is no way around flood control.
     *
     * @return the sessions that ended to make room: the replaced one and any longest-idle ones evicted
     */
    public synchronized Started start(PeerId peer) {
        long now = now();
        List<Session> ended = new ArrayList<>();
        Session previous = byPeer.remove(peer);
        FloodGate flood;
        if (previous != null) {
            end(previous);
            ended.add(previous);
            flood = previous.flood();
        } else {
            flood = new FloodGate(new TokenBucket(floodPerSecond, floodBurst, now));
        }
        while (byPeer.size() >= maxSessions) {
            Iterator<Session> eldest = byPeer.values().iterator();
            Session evicted = eldest.next();
            eldest.remove();
            end(evicted);
            ended.add(evicted);
        }
        Session session = new Session(peer, flood, now);
        byPeer.put(peer, session);
        return new Started(session, ended);
    }

    public record Started(Session session, List<Session> ended) {
    }

    /**
     * Registers {@code session} under the requested name or, if it is taken, the next free numeric suffix
     * ({@code alice} → {@code alice2}). Invalid characters become '_' and over-long names are cut, so an
     * unmodified seed client always gets in.
     *
     * @return the effective name
     */
    public synchronized String register(Session session, String requested) {
        String base = sanitize(requested);
        String name = base;
        for (int n = 2; byName.containsKey(key(name)); n++) {
            String suffix = Integer.toString(n);
            name = base.substring(0, Math.min(base.length(), MAX_NAME_LENGTH - suffix.length())) + suffix;
        }
        if (byPeer.get(session.peer()) != session) {
            throw new IllegalStateException("session is not live");
        }
        session.register(name);
        byName.put(key(name), session);
        return name;
    }

    /** Establishes a no-handshake client under the next {@code guest-<n>} name. */
    public synchronized String registerGuest(Session session, SessionKey key) {
        String name;
        do {
            name = "guest-" + (++guestCounter);
        } while (byName.containsKey(key(name)));
        session.keyedAsGuest(key, name);
        byName.put(key(name), session);
        return name;
    }

    public synchronized Session byName(String name) {
        return byName.get(key(name));
    }

    /** The established sessions, in no particular order (a snapshot). */
    public synchronized List<Session> established() {
        return new ArrayList<>(byName.values());
    }

    /** The v2 sessions (a snapshot): the relay drives their timers. */
    public synchronized List<Session> v2Sessions() {
        return byPeer.values().stream().filter(Session::isV2).toList();
    }

    public synchronized int size() {
        return byPeer.size();
    }

    /** Removes {@code session} if it is still the live one for its peer; true if it was. */
    public synchronized boolean remove(Session session) {
        if (byPeer.get(session.peer()) != session) {
            return false;
        }
        byPeer.remove(session.peer());
        end(session);
        return true;
    }

    /** Removes and returns every session idle for longer than the idle timeout. */
    public synchronized List<Session> expireIdle() {
        long now = now();
        List<Session> expired = new ArrayList<>();
        Iterator<Session> it = byPeer.values().iterator();
        while (it.hasNext()) {
            Session s = it.next();
            long timeout = s.idleTimeoutNanos() >= 0 ? s.idleTimeoutNanos() : idleTimeoutNanos;
            if (now - s.lastActiveNanos() >= timeout) {
                it.remove();
                end(s);
                expired.add(s);
            }
        }
        return expired;
    }

    private void end(Session session) {
        String name = session.name();
        if (name != null && byName.get(key(name)) == session) {
            byName.remove(key(name));
        }
        session.close();
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
