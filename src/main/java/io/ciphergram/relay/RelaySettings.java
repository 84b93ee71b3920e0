package io.ciphergram.relay;

import java.time.Duration;

import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.SessionLimits;
import io.ciphergram.store.StorePolicy;

/**
 * Everything the engine takes, each from a {@code ciphergram.*} setting (the README lists them).
 *
 * @param sessions what the registry allows
 * @param v2IdleTimeout a v2 session ends after this long without an authenticated record
 * @param v2Keepalive v2 clients ping after this long without sending
 * @param reflectionLimit ciphertext blocks a classic session may be sent in its life, every one remembered, so that none
 *        is accepted back as input (docs/PROTOCOL.md, "Threat model (classic)")
 * @param v2QueueFullTimeout a v2 recipient whose queue stays full this long is given up
 * @param rooms rooms, members and history on arrival
 * @param storage how much the store keeps: history, mailboxes, bindings
 */
public record RelaySettings(SessionLimits sessions, Duration v2IdleTimeout, Duration v2Keepalive, int reflectionLimit,
        Duration v2QueueFullTimeout, RoomLimits rooms, StorePolicy storage) {

    /** The defaults of the service's configuration ({@code io.ciphergram.server.EngineConfig}). */
    public static RelaySettings defaults() {
        return new RelaySettings(SessionLimits.defaults(), Duration.ofSeconds(180), Duration.ofSeconds(10), 1 << 17,
                Duration.ofSeconds(10), RoomLimits.defaults(), StorePolicy.defaults());
    }

    public RelaySettings withReflectionLimit(int blocks) {
        return new RelaySettings(sessions, v2IdleTimeout, v2Keepalive, blocks, v2QueueFullTimeout, rooms, storage);
    }

    public RelaySettings with(SessionLimits limits) {
        return new RelaySettings(limits, v2IdleTimeout, v2Keepalive, reflectionLimit, v2QueueFullTimeout, rooms, storage);
    }

    public RelaySettings with(RoomLimits roomLimits) {
        return new RelaySettings(sessions, v2IdleTimeout, v2Keepalive, reflectionLimit, v2QueueFullTimeout, roomLimits,
                storage);
    }

    public RelaySettings with(StorePolicy policy) {
        return new RelaySettings(sessions, v2IdleTimeout, v2Keepalive, reflectionLimit, v2QueueFullTimeout, rooms, policy);
    }

    /** What the v2 handshake states to clients, who pace themselves to it. */
    public V2Frame.Limits v2Limits() {
        return new V2Frame.Limits((int) Math.ceil(sessions.floodPerSecond()), (int) Math.ceil(sessions.floodBurst()),
                V2Constants.MAX_MESSAGE, (int) v2IdleTimeout.toSeconds(), (int) v2Keepalive.toSeconds());
    }
}
