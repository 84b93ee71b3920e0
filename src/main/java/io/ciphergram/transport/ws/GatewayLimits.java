package io.ciphergram.transport.ws;

import java.time.Duration;

/**
 * What the WebSocket gateway allows each connection, and all of them ({@code ciphergram.ws.*}; the
 * defaults are application.properties').
 *
 * @param idleTimeout a connection that sends nothing this long is closed
 * @param pendingPerConnection bytes the gateway may hold for one connection that does not read what it is sent
 * @param pendingTotal bytes it may hold for all of them together
 * @param framesPerSecond frames a connection may hand to the relay a second (0: no limit)
 * @param framesPerSecondPerSource frames all connections from one source may hand to it a second (0: no limit)
 */
public record GatewayLimits(Duration idleTimeout, long pendingPerConnection, long pendingTotal, double framesPerSecond,
        double framesPerSecondPerSource) {

    /** application.properties' values, for tests that build a gateway without Quarkus. */
    public static GatewayLimits defaults() {
        return new GatewayLimits(Duration.ofSeconds(180), 256 * 1024, 64 * 1024 * 1024, 1200, 4800);
    }
}
