package io.ciphergram.relay;

import java.time.Duration;

import io.ciphergram.protocol.v2.ReliableConstants;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.SessionLimits;

/**
 * Everything the engine takes, each from a {@code ciphergram.*} setting (the README lists them).
 *
 * @param sessions what the registry allows
 * @param v2IdleTimeout a v2 session ends after this long without an authenticated record
 * @param v2Keepalive v2 clients ping after this long without sending
 * @param reflectionWindow ciphertext blocks each classic session remembers having been sent, so that none
 *        is accepted back as input (docs/PROTOCOL.md, "Threat model (classic)")
 * @param v2QueueFullTimeout a v2 recipient whose queue stays full this long is given up
 */
public record RelaySettings(SessionLimits sessions, Duration v2IdleTimeout, Duration v2Keepalive, int reflectionWindow,
        Duration v2QueueFullTimeout) {

    /** The defaults of src/main/resources/application.properties. */
    public static RelaySettings defaults() {
        return new RelaySettings(SessionLimits.defaults(), Duration.ofSeconds(180), Duration.ofSeconds(10), 4096,
                Duration.ofSeconds(10));
    }

    public RelaySettings with(SessionLimits limits) {
        return new RelaySettings(limits, v2IdleTimeout, v2Keepalive, reflectionWindow, v2QueueFullTimeout);
    }

    /** What the v2 handshake states to clients, who pace themselves to it. */
    public V2Frame.Limits v2Limits() {
        return new V2Frame.Limits((int) Math.ceil(sessions.floodPerSecond()), (int) Math.ceil(sessions.floodBurst()),
                ReliableConstants.MAX_MESSAGE, (int) v2IdleTimeout.toSeconds(), (int) v2Keepalive.toSeconds());
    }
}
