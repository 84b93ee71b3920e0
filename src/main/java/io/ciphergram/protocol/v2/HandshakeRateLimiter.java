package io.ciphergram.protocol.v2;

import java.util.LinkedHashMap;
import java.util.Map;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;

/**
 * Limits handshake initiations per source before any expensive work, like wireguard-go's
 * {@code ratelimiter}: a token bucket of {@link V2Constants#HANDSHAKE_PACKETS_PER_SECOND} a second, bursts
 * of {@link V2Constants#HANDSHAKE_PACKETS_BURSTABLE}. A source is the host, not host and port, since a
 * flooder picks ports freely; an IPv6 source is its /64, as in wireguard-go, since one host usually holds
 * a whole /64.
 *
 * <p>Memory is bounded: at most {@code maxSources} buckets, the least recently seen forgotten first. A
 * forgotten source starts again with a full burst, which is the price of the bound; a spoofed-source flood
 * is what cookies ({@link CookieJar}) are for. Thread-safe.
 */
public final class HandshakeRateLimiter {

    private final double perSecond;
    private final double burst;
    private final Map<String, TokenBucket> buckets;

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
            protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
                return size() > maxSources;
            }
        };
    }

    /** Whether a handshake initiation from {@code peer} may be processed now; takes a token if so. */
    public synchronized boolean allow(PeerId peer, long nowNanos) {
        return buckets.computeIfAbsent(source(peer), key -> new TokenBucket(perSecond, burst, nowNanos))
                .tryTake(nowNanos);
    }

    /** How many sources are remembered; for metrics and tests. */
    public synchronized int trackedSources() {
        return buckets.size();
    }

    /** The part of a peer's identity a flooder cannot vary cheaply. */
    static String source(PeerId peer) {
        if (!PeerId.UDP.equals(peer.transport())) {
            return peer.toString();
        }
        String address = peer.address();
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String[] groups = host.split(":", -1);
        if (groups.length == 8) {
            // Inet6Address.getHostAddress() writes all eight groups; the first four are the /64.
            host = String.join(":", groups[0], groups[1], groups[2], groups[3]) + "::/64";
        }
        return PeerId.UDP + "/" + host;
    }
}
