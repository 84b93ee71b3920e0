package io.ciphergram.session;

import java.util.LinkedHashSet;

import io.ciphergram.protocol.PeerId;

/**
 * Who gets in, and who makes room: the registry's capacity in three standings, so that no flood of forged
 * datagrams can push out a working user.
 * <ul>
 *   <li><b>Half-open</b> classic handshakes and <b>unproven</b> sessions (classic ones before their first
 *       message that decrypts, v2 ones before their client's first authenticated record) can be made
 *       from forged or throw-away addresses: they are capped per source, where a newcomer displaces the
 *       oldest of its own kind, and they are the only entries ever evicted when the registry is full
 *       (oldest half-open first, then oldest unproven).</li>
 *   <li><b>Proven</b> sessions are never evicted: when the registry is full of them, a newcomer is
 *       refused. Sessions per source and per block (IPv4 /24, IPv6 /48) are capped, so one network cannot
 *       take more than its share.</li>
 * </ul>
 * It keeps the eviction order and decides; the registry carries out what it decides through {@link Ends}.
 * Relay-thread state, owned by the {@link SessionRegistry}.
 */
final class Admission {

    /** How the registry ends what admission displaces or evicts. */
    interface Ends {
        void end(ClassicHandshake handshake);

        void end(Session session);
    }

    private final SessionLimits limits;
    private final SourceGuard sources;
    /** Oldest first. */
    private final LinkedHashSet<ClassicHandshake> halfOpen = new LinkedHashSet<>();
    /** Oldest first, classic and v2 alike. */
    private final LinkedHashSet<Session> unproven = new LinkedHashSet<>();
    private int sessions;

    Admission(SessionLimits limits, SourceGuard sources) {
        this.limits = limits;
        this.sources = sources;
    }

    // ---- bookkeeping, told by the registry -----------------------------------------------------------

    void handshakeStarted(ClassicHandshake handshake) {
        halfOpen.add(handshake);
        sources.halfOpened(handshake);
    }

    void handshakeEnded(ClassicHandshake handshake) {
        halfOpen.remove(handshake);
        sources.halfClosed(handshake);
    }

    void sessionAdded(Session session) {
        sessions++;
        if (!session.proven()) {
            unproven.add(session);
        }
        sources.sessionAdded(session);
    }

    void sessionProven(Session session) {
        unproven.remove(session);
        sources.sessionProven(session);
    }

    void sessionEnded(Session session) {
        sessions--;
        unproven.remove(session);
        sources.sessionEnded(session);
    }

    /** Sessions and half-open handshakes. */
    int size() {
        return sessions + halfOpen.size();
    }

    int halfOpenCount() {
        return halfOpen.size();
    }

    // ---- decisions ------------------------------------------------------------------------------------

    /**
     * Room for a new half-open handshake from {@code peer}: its source, at its limit of half-open ones,
     * loses the oldest; then half-open and unproven entries are evicted while the registry is full.
     */
    boolean roomForHandshake(PeerId peer, Ends ends) {
        SourceGuard.Entry source = sources.of(peer.source());
        if (source.halfOpen.size() >= limits.handshakesPerSource()) {
            ends.end(source.halfOpen.peekFirst());
        }
        return makeRoom(ends);
    }

    /**
     * Room for a new session of {@code peer} (which holds nothing any longer): an unproven newcomer
     * displaces its source's oldest unproven session at the source's limit of them; then the source and
     * its block must be under their limits, and the registry must find room by evicting half-open and
     * unproven entries.
     */
    boolean roomForSession(PeerId peer, boolean unprovenNewcomer, Ends ends) {
        SourceGuard.Entry source = sources.of(peer.source());
        if (unprovenNewcomer && source.unproven.size() >= limits.unprovenPerSource()) {
            ends.end(source.unproven.peekFirst());
        }
        return sourceHasRoom(peer, 0) && makeRoom(ends);
    }

    /**
     * Whether a new proven session of {@code peer} would find room, changing nothing: checked before
     * expensive handshake work.
     *
     * @param own 1 if {@code peer} holds a session the new one would replace, else 0
     */
    boolean couldAdmit(PeerId peer, int own) {
        return sourceHasRoom(peer, own)
                && (size() - own < limits.maxSessions() || !halfOpen.isEmpty() || !unproven.isEmpty());
    }

    private boolean sourceHasRoom(PeerId peer, int own) {
        return sources.of(peer.source()).sessions - own < limits.sessionsPerSource()
                && sources.blockSessions(peer.source()) - own < limits.sessionsPerBlock();
    }

    /** Evicts half-open, then unproven entries, oldest first, while the registry is full. */
    private boolean makeRoom(Ends ends) {
        while (size() >= limits.maxSessions()) {
            if (!halfOpen.isEmpty()) {
                ends.end(halfOpen.iterator().next());
            } else if (!unproven.isEmpty()) {
                ends.end(unproven.iterator().next());
            } else {
                return false;
            }
        }
        return true;
    }
}
