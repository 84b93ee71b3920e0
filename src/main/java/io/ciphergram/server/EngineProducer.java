package io.ciphergram.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.relay.ChatRelay;
import io.ciphergram.relay.Counters;
import io.ciphergram.relay.Engine;
import io.ciphergram.relay.RelaySettings;
import io.ciphergram.session.SessionLimits;

/**
 * The Quarkus wiring: configuration in, the plain-Java {@link Engine} out, started with the application
 * and stopped with it. The server's v2 identity key is loaded here (or created, owner-only, on first
 * start) and its fingerprint, which users pin, is logged. With {@code ciphergram.cluster.redis} set, the
 * engine is one instance of a cluster ({@link ClusterWiring}). Defaults live in application.properties.
 */
@ApplicationScoped
public class EngineProducer {

    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @ConfigProperty(name = "ciphergram.session.max-sessions")
    int maxSessions;
    @ConfigProperty(name = "ciphergram.session.idle-timeout")
    Duration idleTimeout;
    @ConfigProperty(name = "ciphergram.session.handshake-timeout")
    Duration handshakeTimeout;
    @ConfigProperty(name = "ciphergram.session.unproven-timeout")
    Duration unprovenTimeout;
    @ConfigProperty(name = "ciphergram.flood.per-second")
    double floodPerSecond;
    @ConfigProperty(name = "ciphergram.flood.burst")
    double floodBurst;
    @ConfigProperty(name = "ciphergram.limits.handshakes-per-second")
    double handshakesPerSecond;
    @ConfigProperty(name = "ciphergram.limits.handshake-burst")
    double handshakeBurst;
    @ConfigProperty(name = "ciphergram.limits.handshakes-per-source")
    int handshakesPerSource;
    @ConfigProperty(name = "ciphergram.limits.unproven-per-source")
    int unprovenPerSource;
    @ConfigProperty(name = "ciphergram.limits.sessions-per-source")
    int sessionsPerSource;
    @ConfigProperty(name = "ciphergram.classic.reflection-window")
    int reflectionWindow;
    @ConfigProperty(name = "ciphergram.v2.idle-timeout")
    Duration v2IdleTimeout;
    @ConfigProperty(name = "ciphergram.v2.keepalive")
    Duration v2Keepalive;
    @ConfigProperty(name = "ciphergram.v2.memory-budget")
    long v2MemoryBudget;
    @ConfigProperty(name = "ciphergram.v2.queue-full-timeout")
    Duration v2QueueFullTimeout;
    @ConfigProperty(name = "ciphergram.identity.path")
    Path identityPath;
    @Inject
    ClusterWiring cluster;

    RelaySettings settings() {
        return new RelaySettings(new SessionLimits(maxSessions, idleTimeout, handshakeTimeout, unprovenTimeout,
                floodPerSecond, floodBurst, handshakesPerSecond, handshakeBurst, handshakesPerSource, unprovenPerSource,
                sessionsPerSource, v2MemoryBudget), v2IdleTimeout, v2Keepalive, reflectionWindow, v2QueueFullTimeout);
    }

    @Produces
    @Singleton
    Engine engine() {
        ServerIdentity identity;
        try {
            identity = ServerIdentity.loadOrCreate(identityPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the server identity key at " + identityPath, e);
        }
        LOG.infof("Ciphergram server identity %s (%s); clients pin this fingerprint", identity.fingerprint(), identityPath);
        if (cluster.enabled()) {
            return Engine.start(settings(), identity, new StructuredEvents(), cluster.settings(), cluster.link());
        }
        return Engine.start(settings(), identity, new StructuredEvents());
    }

    void stop(@Disposes Engine engine) {
        engine.close();
    }

    @Produces
    ChatRelay relay(Engine engine) {
        return engine.relay();
    }

    @Produces
    Counters counters(Engine engine) {
        return engine.counters();
    }
}
