package io.ciphergram.session;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ciphergram.protocol.Source;
import io.ciphergram.protocol.SourceBlock;
import io.ciphergram.protocol.TokenBucket;

/**
 * What each source (IPv4 address or IPv6 /64) and each block of sources (IPv4 /24, IPv6 /48) holds and may
 * still do: a source's half-open handshakes and unproven sessions (oldest first, so a newcomer can displace
 * the oldest of its own kind), its session count, its handshake and Hello rate buckets, and its credit (the
 * bytes the server may still send to addresses that have not proven they receive there); a block's session
 * count. Credit grows with every byte received from the source (counting 28 bytes of IPv4 and UDP header
 * per datagram) up to {@link #MAX_CREDIT}, starts at {@link #INITIAL_CREDIT}, and pays for every answer to
 * a half-open handshake or an unproven session, so that over any window the server sends such addresses at
 * most what it received from them plus {@link #MAX_CREDIT}.
 *
 * <p>Every change goes through a method of this class, which files the entry where it belongs: sources
 * with live handshakes or sessions are kept; the others live in a least-recently-used table of
 * {@link #MAX_IDLE_SOURCES}, and a source forgotten there starts afresh. Blocks are kept while they hold a
 * session. Relay-thread state, owned by the {@link SessionRegistry}.
 */
final class SourceGuard {

    /** Wire bytes a datagram costs beyond its payload: IPv4 (20) and UDP (8) headers. */
    static final int HEADER_BYTES = 28;
    /** What a new source may be sent before it has sent anything: a SYN-ACK to its first SYN fits. */
    static final long INITIAL_CREDIT = 256;
    /** Credit saved up from busy, proven traffic is capped, so that it cannot be spent in one burst. */
    static final long MAX_CREDIT = 16 * 1024;
    /** Sources without live handshakes or sessions remembered (each entry is a few hundred bytes). */
    static final int MAX_IDLE_SOURCES = 16_384;

    /** One source. Read by the registry; changed only through the guard's methods. */
    static final class Entry {
        final ArrayDeque<ClassicHandshake> halfOpen = new ArrayDeque<>();
        final ArrayDeque<Session> unproven = new ArrayDeque<>();
        int sessions;
        TokenBucket handshakes;
        TokenBucket hellos;
        long credit = INITIAL_CREDIT;

        boolean live() {
            return sessions > 0 || !halfOpen.isEmpty();
        }
    }

    private final SessionLimits limits;
    private final Map<Source, Entry> live = new HashMap<>();
    private final LinkedHashMap<Source, Entry> idle = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Source, Entry> eldest) {
            return size() > MAX_IDLE_SOURCES;
        }
    };
    private final Map<SourceBlock, int[]> blocks = new HashMap<>();

    SourceGuard(SessionLimits limits) {
        this.limits = limits;
    }

    /** The entry of {@code source} (made on first sight): for reading its counts and queues. */
    Entry of(Source source) {
        Entry e = live.get(source);
        if (e == null) {
            e = idle.get(source);
            if (e == null) {
                e = new Entry();
                idle.put(source, e);
            }
        }
        return e;
    }

    /** Sessions held by {@code source}'s block. */
    int blockSessions(Source source) {
        int[] n = blocks.get(source.block());
        return n == null ? 0 : n[0];
    }

    // ---- what sources hold ---------------------------------------------------------------------------

    void halfOpened(ClassicHandshake handshake) {
        Source source = handshake.peer().source();
        Entry e = of(source);
        e.halfOpen.addLast(handshake);
        refile(source, e);
    }

    void halfClosed(ClassicHandshake handshake) {
        Source source = handshake.peer().source();
        Entry e = of(source);
        e.halfOpen.remove(handshake);
        refile(source, e);
    }

    void sessionAdded(Session session) {
        Source source = session.peer().source();
        Entry e = of(source);
        e.sessions++;
        if (!session.proven()) {
            e.unproven.addLast(session);
        }
        blocks.computeIfAbsent(source.block(), b -> new int[1])[0]++;
        refile(source, e);
    }

    void sessionProven(Session session) {
        of(session.peer().source()).unproven.remove(session);
    }

    void sessionEnded(Session session) {
        Source source = session.peer().source();
        Entry e = of(source);
        e.sessions--;
        e.unproven.remove(session);
        SourceBlock block = source.block();
        int[] n = blocks.get(block);
        if (n != null && --n[0] == 0) {
            blocks.remove(block);
        }
        refile(source, e);
    }

    // ---- what sources may do -------------------------------------------------------------------------

    /** A datagram of {@code payloadBytes} arrived from {@code source}: it adds to the source's credit. */
    void received(Source source, int payloadBytes) {
        Entry e = of(source);
        e.credit = Math.min(MAX_CREDIT, e.credit + payloadBytes + HEADER_BYTES);
    }

    /** Takes the cost of a datagram to an unproven address from its source's credit; false if it is short. */
    boolean spend(Source source, int payloadBytes) {
        Entry e = of(source);
        long cost = payloadBytes + HEADER_BYTES;
        if (e.credit < cost) {
            return false;
        }
        e.credit -= cost;
        return true;
    }

    /** A handshake token (a classic key, a v2 KeyOffer with a valid cookie); false if there is none. */
    boolean takeHandshake(Source source, long nowNanos) {
        Entry e = of(source);
        if (e.handshakes == null) {
            e.handshakes = new TokenBucket(limits.handshakesPerSecond(), limits.handshakeBurst(), nowNanos);
        }
        return e.handshakes.tryTake(nowNanos);
    }

    /** A token for answering a v2 Hello (cheap: one HMAC, a reply smaller than the Hello); false if none. */
    boolean takeHello(Source source, long nowNanos) {
        Entry e = of(source);
        if (e.hellos == null) {
            e.hellos = new TokenBucket(limits.hellosPerSecond(), limits.hellosPerSecond() * 2, nowNanos);
        }
        return e.hellos.tryTake(nowNanos);
    }

    /** Sources remembered (with live entries or recently seen). */
    int size() {
        return live.size() + idle.size();
    }

    private void refile(Source source, Entry e) {
        if (e.live()) {
            if (idle.remove(source) != null) {
                live.put(source, e);
            }
        } else if (live.remove(source) != null) {
            idle.put(source, e);
        }
    }
}
