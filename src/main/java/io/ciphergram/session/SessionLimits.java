package io.ciphergram.session;

import java.time.Duration;

/**
 * What the registry allows, each from a {@code ciphergram.*} setting (the README lists them). Limits per
 * source apply to an IPv4 address or IPv6 /64, limits per block to an IPv4 /24 or IPv6 /48; users behind
 * one NAT share a source, so the defaults fit a classroom or an office.
 *
 * @param maxSessions sessions and handshakes in all; when full of proven sessions a newcomer is refused
 * @param idleTimeout a classic session ends after this long without a datagram (its clients send no keepalive)
 * @param handshakeTimeout a half-open classic handshake is forgotten after this long
 * @param unprovenTimeout a classic session that has not sent a message that decrypts ends after this long
 * @param v2UnprovenTimeout a v2 session whose client has sent no authenticated record ends after this long
 * @param floodPerSecond messages per second per address, counted only for input that authenticates; 0 disables
 * @param floodBurst the burst allowance for {@code floodPerSecond}
 * @param handshakesPerSecond classic keys and v2 KeyOffers with a valid cookie per second per source
 * @param handshakeBurst the burst allowance for {@code handshakesPerSecond}
 * @param hellosPerSecond v2 Hellos answered per second per source (twice as many at once): cheap, and no
 *        Retry is larger than its Hello, so this is far above {@code handshakesPerSecond}
 * @param handshakesPerSource half-open classic handshakes per source; a new one displaces the oldest
 * @param unprovenPerSource unproven sessions (classic and v2) per source; a new one displaces the oldest
 * @param sessionsPerSource sessions per source in all; beyond it a newcomer is refused
 * @param sessionsPerBlock sessions per IPv4 /24 or IPv6 /48 in all; beyond it a newcomer is refused
 * @param v2MemoryBudget bytes all v2 sessions together may hold ({@link MemoryBudget})
 */
public record SessionLimits(int maxSessions, Duration idleTimeout, Duration handshakeTimeout, Duration unprovenTimeout,
        Duration v2UnprovenTimeout, double floodPerSecond, double floodBurst, double handshakesPerSecond,
        double handshakeBurst, double hellosPerSecond, int handshakesPerSource, int unprovenPerSource,
        int sessionsPerSource, int sessionsPerBlock, long v2MemoryBudget) {

    public SessionLimits {
        if (maxSessions < 1 || handshakesPerSource < 1 || unprovenPerSource < 1 || sessionsPerSource < 1
                || sessionsPerBlock < 1) {
            throw new IllegalArgumentException("session limits must be at least 1");
        }
    }

    /** The defaults of the service's configuration ({@code io.ciphergram.server.CiphergramConfig}). */
    public static SessionLimits defaults() {
        return new SessionLimits(10_000, Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofMinutes(10),
                Duration.ofSeconds(10), 10, 20, 20, 50, 2_000, 32, 32, 128, 512, 128L << 20);
    }

    public SessionLimits withMaxSessions(int max) {
        return new SessionLimits(max, idleTimeout, handshakeTimeout, unprovenTimeout, v2UnprovenTimeout,
                floodPerSecond, floodBurst, handshakesPerSecond, handshakeBurst, hellosPerSecond, handshakesPerSource,
                unprovenPerSource, sessionsPerSource, sessionsPerBlock, v2MemoryBudget);
    }

    public SessionLimits withFlood(double perSecond, double burst) {
        return new SessionLimits(maxSessions, idleTimeout, handshakeTimeout, unprovenTimeout, v2UnprovenTimeout,
                perSecond, burst, handshakesPerSecond, handshakeBurst, hellosPerSecond, handshakesPerSource,
                unprovenPerSource, sessionsPerSource, sessionsPerBlock, v2MemoryBudget);
    }

    public SessionLimits withV2MemoryBudget(long bytes) {
        return new SessionLimits(maxSessions, idleTimeout, handshakeTimeout, unprovenTimeout, v2UnprovenTimeout,
                floodPerSecond, floodBurst, handshakesPerSecond, handshakeBurst, hellosPerSecond, handshakesPerSource,
                unprovenPerSource, sessionsPerSource, sessionsPerBlock, bytes);
    }

    public SessionLimits withPerSource(int handshakes, int unproven, int sessions) {
        return new SessionLimits(maxSessions, idleTimeout, handshakeTimeout, unprovenTimeout, v2UnprovenTimeout,
                floodPerSecond, floodBurst, handshakesPerSecond, handshakeBurst, hellosPerSecond, handshakes, unproven,
                sessions, Math.max(sessions, sessionsPerBlock), v2MemoryBudget);
    }

    public SessionLimits withPerBlock(int sessions) {
        return new SessionLimits(maxSessions, idleTimeout, handshakeTimeout, unprovenTimeout, v2UnprovenTimeout,
                floodPerSecond, floodBurst, handshakesPerSecond, handshakeBurst, hellosPerSecond, handshakesPerSource,
                unprovenPerSource, sessionsPerSource, sessions, v2MemoryBudget);
    }
}
