package io.ciphergram.protocol.v2;

import java.util.LinkedHashMap;
import java.util.Map;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.Source;
import io.ciphergram.protocol.TokenBucket;

/**
 * Limits handshake initiations per source before any expensive work, like wireguard-go's
 * {@code ratelimiter}: a token bucket of {@link V2Constants#HANDSHAKE_PACKETS_PER_SECOND} a second, bursts
 * of {@link V2Constants#HANDSHAKE_PACKETS_BURSTABLE}, per {@link Source} (the IPv4 address or IPv6 /64, not
 * the port, since a flooder picks ports freely).
 *
 * <p>Memory is bounded: at most {@code maxSources} buckets, the least recently seen forgotten first. A
 * forgotten source starts again with a full burst, which is the price of the bound; a spoofed-source flood
 * is what cookies ({@link CookieJar}) are for. Not thread-safe: the relay thread owns it.
 */
public final class HandshakeRateLimiter {

    private final double perSecond;
    private final double burst;
    private final Map<Source, TokenBucket> buckets;

    public HandshakeRateLimiter() {
        this(V2Constants.HANDSHAKE_PACKETS_PER_SECOND, V2Constants.HANDSHAKE_PACKETS_BURSTABLE,
                V2Constants.HANDSHAKE_RATE_LIMITER_MAX_SOURCES);
    }

    public HandshakeRateLimiter(double perSecond, double burst, int maxSources) {
        if (maxSources < 1) {
            throw new IllegalArgumentException("the rate limiter must remember at least one source");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Source, TokenBucket> eldest) {
                return size() > maxSources;
            }
        };
    }

    /** Whether a handshake initiation from {@code peer} may be processed now; takes a token if so. */
    public boolean allow(PeerId peer, long nowNanos) {
        return buckets.computeIfAbsent(peer.source(), key -> new TokenBucket(perSecond, burst, nowNanos))
                .tryTake(nowNanos);
    }

    /** How many sources are remembered; for metrics and tests. */
    public int trackedSources() {
        return buckets.size();
    }

}
