package io.ciphergram.session;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ciphergram.protocol.Source;
import io.ciphergram.protocol.TokenBucket;

/**
 * What each source (IPv4 address or IPv6 /64) holds and may still do: its half-open handshakes and
 * unproven sessions (oldest first, so a newcomer can displace the oldest of its own kind), its session
 * count, its handshake rate bucket, and its credit: the bytes the server may still send to addresses that
 * have not proven they receive there. Credit grows with every byte received from the source (counting 28
 * bytes of IPv4 and UDP header per datagram) up to {@link #MAX_CREDIT}, starts at {@link #INITIAL_CREDIT},
 * and pays for every answer to a half-open handshake or an unproven session, so that over any window the
 * server sends such addresses at most what it received from them plus {@link #MAX_CREDIT}.
 *
 * <p>Memory is bounded: sources with live handshakes or sessions are kept; the others live in a
 * least-recently-used table of {@link #MAX_IDLE_SOURCES}, and a source forgotten there starts afresh.
 * Relay-thread state.
 */
final class SourceTable {

    /** Wire bytes a datagram costs beyond its payload: IPv4 (20) and UDP (8) headers. */
    static final int HEADER_BYTES = 28;
    /** What a new source may be sent before it has sent anything: a SYN-ACK to its first SYN fits. */
    static final long INITIAL_CREDIT = 256;
    /** Credit saved up from busy, proven traffic is capped, so that it cannot be spent in one burst. */
    static final long MAX_CREDIT = 16 * 1024;
    /** Sources without live handshakes or sessions remembered (each entry is a few hundred bytes). */
    static final int MAX_IDLE_SOURCES = 16_384;

    static final class Entry {
        final ArrayDeque<ClassicHandshake> halfOpen = new ArrayDeque<>();
        final ArrayDeque<ClassicSession> unproven = new ArrayDeque<>();
        int sessions;
        TokenBucket handshakes;
        long credit = INITIAL_CREDIT;

        boolean live() {
            return sessions > 0 || !halfOpen.isEmpty();
        }
    }

    private final Map<Source, Entry> live = new HashMap<>();
    private final LinkedHashMap<Source, Entry> idle = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Source, Entry> eldest) {
            return size() > MAX_IDLE_SOURCES;
        }
    };

    Entry get(Source source) {
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

    /** Files the entry by whether it holds anything live, after its counts changed. */
    void changed(Source source, Entry e) {
        if (e.live()) {
            if (idle.remove(source) != null) {
                live.put(source, e);
            }
        } else if (live.remove(source) != null) {
            idle.put(source, e);
        }
    }

    void received(Source source, int payloadBytes) {
        Entry e = get(source);
        e.credit = Math.min(MAX_CREDIT, e.credit + payloadBytes + HEADER_BYTES);
    }

    /** Takes the cost of a datagram to an unproven address from its source's credit; false if it is short. */
    boolean spend(Source source, int payloadBytes) {
        Entry e = get(source);
        long cost = payloadBytes + HEADER_BYTES;
        if (e.credit < cost) {
            return false;
        }
        e.credit -= cost;
        return true;
    }

    int size() {
        return live.size() + idle.size();
    }
}
