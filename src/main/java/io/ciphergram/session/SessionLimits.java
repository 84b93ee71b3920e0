package io.ciphergram.session;

import java.time.Duration;

/**
 * What the registry allows, each from a {@code ciphergram.*} setting (the README lists them). Limits per
 * source apply to an IPv4 address or IPv6 /64; users behind one NAT share one, so the defaults fit a
 * classroom or an office.
 *
 * @param maxSessions sessions and handshakes in all; when full of established sessions a newcomer is refused
 * @param idleTimeout a classic session ends after this long without a datagram (its clients send no keepalive)
 * @param handshakeTimeout a half-open classic handshake is forgotten after this long
 * @param unprovenTimeout a classic session that has not sent a message that decrypts ends after this long
 * @param floodPerSecond messages per second per address, before any crypto; 0 disables
 * @param floodBurst the burst allowance for {@code floodPerSecond}
 * @param handshakesPerSecond classic keys and v2 Hellos and KeyOffers per second per source
 * @param handshakeBurst the burst allowance for {@code handshakesPerSecond}
 * @param handshakesPerSource half-open classic handshakes per source; a new one displaces the oldest
 * @param unprovenPerSource unproven classic sessions per source; a new one displaces the oldest
 * @param sessionsPerSource sessions per source in all; beyond it a newcomer is refused
 * @param v2MemoryBudget bytes all v2 sessions together may hold ({@link MemoryBudget})
 */
public record SessionLimits(int maxSessions, Duration idleTimeout, Duration handshakeTimeout, Duration unprovenTimeout,
        double floodPerSecond, double floodBurst, double handshakesPerSecond, double handshakeBurst,
        int handshakesPerSource, int unprovenPerSource, int sessionsPerSource, long v2MemoryBudget) {

    public SessionLimits {
        if (maxSessions < 1 || handshakesPerSource < 1 || unprovenPerSource < 1 || sessionsPerSource < 1) {
            throw new IllegalArgumentException("session limits must be at least 1");
        }
    }

    /** The defaults of src/main/resources/application.properties. */
    public static SessionLimits defaults() {
        return new SessionLimits(10_000, Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofMinutes(10), 10, 20,
                20, 50, 32, 32, 512, 128L << 20);
    }

    public SessionLimits withMaxSessions(int max) {
        return new SessionLimits(max, idleTimeout, handshakeTimeout, unprovenTimeout, floodPerSecond, floodBurst,
                handshakesPerSecond, handshakeBurst, handshakesPerSource, unprovenPerSource, sessionsPerSource, v2MemoryBudget);
    }

    public SessionLimits withFlood(double perSecond, double burst) {
        return new SessionLimits(maxSessions, idleTimeout, handshakeTimeout, unprovenTimeout, perSecond, burst,
                handshakesPerSecond, handshakeBurst, handshakesPerSource, unprovenPerSource, sessionsPerSource, v2MemoryBudget);
    }

    public SessionLimits withV2MemoryBudget(long bytes) {
        return new SessionLimits(maxSessions, idleTimeout, handshakeTimeout, unprovenTimeout, floodPerSecond,
                floodBurst, handshakesPerSecond, handshakeBurst, handshakesPerSource, unprovenPerSource, sessionsPerSource,
                bytes);
    }

    public SessionLimits withPerSource(int handshakes, int unproven, int sessions) {
        return new SessionLimits(maxSessions, idleTimeout, handshakeTimeout, unprovenTimeout, floodPerSecond,
                floodBurst, handshakesPerSecond, handshakeBurst, handshakes, unproven, sessions, v2MemoryBudget);
    }
}
