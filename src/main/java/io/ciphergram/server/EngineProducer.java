package io.ciphergram.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.relay.ChatRelay;
import io.ciphergram.relay.Engine;
import io.ciphergram.session.Counters;

/**
 * The Quarkus wiring: configuration in, the plain-Java {@link Engine} out, started with the application
 * and stopped with it. The server's v2 identity key is loaded here (or created, owner-only, on first
 * start) and its fingerprint, which users pin, is logged.
 */
@ApplicationScoped
public class EngineProducer {

    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    Engine engine(
            @ConfigProperty(name = "ciphergram.session.max-sessions", defaultValue = "10000") int maxSessions,
            @ConfigProperty(name = "ciphergram.session.idle-timeout", defaultValue = "1h") Duration idleTimeout,
            @ConfigProperty(name = "ciphergram.flood.per-second", defaultValue = "10") double floodPerSecond,
            @ConfigProperty(name = "ciphergram.flood.burst", defaultValue = "20") double floodBurst,
            @ConfigProperty(name = "ciphergram.v2.idle-timeout", defaultValue = "180s") Duration v2IdleTimeout,
            @ConfigProperty(name = "ciphergram.v2.keepalive", defaultValue = "10s") Duration v2Keepalive,
            @ConfigProperty(name = "ciphergram.identity.path") Path identityPath) {
        ServerIdentity identity;
        try {
            identity = ServerIdentity.loadOrCreate(identityPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the server identity key at " + identityPath, e);
        }
        LOG.infof("Ciphergram server identity %s (%s); clients pin this fingerprint", identity.fingerprint(), identityPath);
        return Engine.start(new Engine.Settings(maxSessions, idleTimeout, floodPerSecond, floodBurst, v2IdleTimeout,
                v2Keepalive), identity);
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
