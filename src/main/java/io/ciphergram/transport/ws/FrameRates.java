package io.ciphergram.transport.ws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.ciphergram.protocol.Source;
import io.ciphergram.protocol.TokenBucket;

/**
 * How many frames a connection may hand to the relay's shared queue: its own rate, and its source's (every
 * connection from one address or IPv6 /64 together), each a token bucket with a fifth of a second's burst.
 * Without it one connection, session or not, could fill the queue every user shares. The connection's
 * default rate is the relay's own datagram limit for a v2 session, so a client within its limits never meets
 * this one. Thread-safe: a connection's meter is used on its event loop; a source's bucket is shared by its
 * connections, on whichever loops they are.
 */
final class FrameRates {

    private static final double BURST_SECONDS = 0.2;

    private final double perConnection;
    private final double perSource;
    private final Map<Source, SourceShare> sources = new ConcurrentHashMap<>();

    /** One source's connections and their common bucket. */
    private static final class SourceShare {
        int connections;
        final TokenBucket frames;

        SourceShare(double perSecond, long nowNanos) {
            this.frames = new TokenBucket(perSecond, perSecond * BURST_SECONDS, nowNanos);
        }
    }

    /** One connection's own bucket and its source's. */
    final class Meter {
        private final Source source;
        private final SourceShare share;
        private final TokenBucket own;

        private Meter(Source source, SourceShare share, long nowNanos) {
            this.source = source;
            this.share = share;
            this.own = new TokenBucket(perConnection, perConnection * BURST_SECONDS, nowNanos);
        }
    }

    /** {@code 0} for either rate leaves that one unlimited. */
    FrameRates(double perConnection, double perSource) {
        this.perConnection = perConnection;
        this.perSource = perSource;
    }

    Meter open(Source source, long nowNanos) {
        SourceShare share = sources.compute(source, (s, existing) -> {
            SourceShare joined = existing == null ? new SourceShare(perSource, nowNanos) : existing;
            joined.connections++;
            return joined;
        });
        return new Meter(source, share, nowNanos);
    }

    void close(Meter meter) {
        sources.computeIfPresent(meter.source, (s, share) -> --share.connections == 0 ? null : share);
    }

    /** Takes a frame's token from the connection's bucket and its source's; false if either is empty. */
    boolean admit(Meter meter, long nowNanos) {
        if (meter.own.nanosUntilToken(nowNanos) > 0) {
            return false;
        }
        synchronized (meter.share) {
            if (!meter.share.frames.tryTake(nowNanos)) {
                return false;
            }
        }
        return meter.own.tryTake(nowNanos);
    }

    /** How long until both buckets hold a token again. */
    long nanosUntilAdmitted(Meter meter, long nowNanos) {
        long source;
        synchronized (meter.share) {
            source = meter.share.frames.nanosUntilToken(nowNanos);
        }
        return Math.max(source, meter.own.nanosUntilToken(nowNanos));
    }

    /** Sources with open connections (for tests: a closed source is forgotten). */
    int sources() {
        return sources.size();
    }
}
