package io.ciphergram.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.ciphergram.protocol.Source;

/**
 * How many TCP connections one listening port holds, in all and per source (an IPv4 address or an IPv6
 * /64, as for every per-source limit), so that one address cannot take every file descriptor of the
 * process. A trusted proxy's connections count only in the total: every user behind it shares its address.
 * Thread-safe: connections are admitted on the acceptor thread and released on their event loops.
 */
final class ConnectionLimits {

    /** Whether a new connection may stay. */
    enum Admission { ADMITTED, OVER_TOTAL, OVER_SOURCE }

    private final int total;
    private final int perSource;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<Source, AtomicInteger> bySource = new ConcurrentHashMap<>();

    ConnectionLimits(int total, int perSource) {
        if (total < 1 || perSource < 1) {
            throw new IllegalArgumentException("connection limits must be positive: " + total + ", " + perSource);
        }
        this.total = total;
        this.perSource = perSource;
    }

    /** Counts a new connection from {@code source} if it fits; {@code exempt} (a trusted proxy) counts in the total only. */
    Admission admit(Source source, boolean exempt) {
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            return Admission.OVER_TOTAL;
        }
        if (exempt) {
            return Admission.ADMITTED;
        }
        boolean[] fits = new boolean[1];
        bySource.compute(source, (s, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            fits[0] = c.get() < perSource;
            if (fits[0]) {
                c.incrementAndGet();
            }
            return c.get() == 0 ? null : c;
        });
        if (!fits[0]) {
            open.decrementAndGet();
            return Admission.OVER_SOURCE;
        }
        return Admission.ADMITTED;
    }

    /** An admitted connection closed. */
    void release(Source source, boolean exempt) {
        open.decrementAndGet();
        if (!exempt) {
            bySource.computeIfPresent(source, (s, count) -> count.decrementAndGet() == 0 ? null : count);
        }
    }

    int open() {
        return open.get();
    }

    /** Sources with open connections (a source with none is forgotten). */
    int sources() {
        return bySource.size();
    }

    int total() {
        return total;
    }

    int perSource() {
        return perSource;
    }
}
