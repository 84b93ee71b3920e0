package io.ciphergram.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.relay.ChatRelay;
import io.ciphergram.relay.Counters;
import io.ciphergram.relay.Engine;
import io.ciphergram.relay.RelaySettings;
import io.ciphergram.store.EmbeddedStore;
import io.ciphergram.store.Store;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The Quarkus wiring: configuration in, the plain-Java {@link Engine} out, started with the application
 * and stopped with it. The server's v2 identity key is loaded here (or created, owner-only, on first
 * start) and its fingerprint, which users pin, is logged. With {@code ciphergram.cluster.redis} set, the
 * engine is one instance of a cluster ({@link ClusterWiring}). The settings and their defaults are
 * {@link EngineConfig}.
 */
@ApplicationScoped
public class EngineProducer {

    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Inject
    EngineConfig.Session session;
    @Inject
    EngineConfig.Flood flood;
    @Inject
    EngineConfig.Limits limits;
    @Inject
    EngineConfig.Classic classic;
    @Inject
    EngineConfig.V2 v2;
    @Inject
    EngineConfig.Identity identityConfig;
    @Inject
    EngineConfig.Rooms rooms;
    @Inject
    EngineConfig.History history;
    @Inject
    EngineConfig.Mailbox mailbox;
    @Inject
    EngineConfig.Names names;
    @Inject
    EngineConfig.Data data;
    @Inject
    ClusterWiring cluster;

    @Produces
    @Singleton
    Engine engine() {
        Path identityPath = identityConfig.path();
        RelaySettings settings = EngineConfig.settings(session, flood, limits, classic, v2, rooms, history, mailbox,
                names);
        ServerIdentity identity;
        try {
            identity = ServerIdentity.loadOrCreate(identityPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the server identity key at " + identityPath, e);
        }
        LOG.infof("Ciphergram server identity %s (%s); clients pin this fingerprint", identity.fingerprint(), identityPath);
        if (cluster.enabled()) {
            LOG.infof("Ciphergram keeps name bindings, mailboxes and history in the cluster's Redis");
            return Engine.start(settings, identity, new StructuredEvents(), cluster.settings(), cluster.link(),
                    loop -> cluster.store(settings.storage(), loop));
        }
        return Engine.start(settings, identity, new StructuredEvents(), null, null, store(settings));
    }

    /** One instance's own store: in {@code ciphergram.data.dir}, or in memory with {@code none}. */
    private Function<Executor, Store> store(RelaySettings settings) {
        String dir = data.dir().strip();
        if (dir.equals("none")) {
            LOG.warnf("ciphergram.data.dir=none: name bindings, mailboxes and history are kept in memory, gone at restart");
            return Engine.memory(settings);
        }
        Path path = Path.of(dir);
        return loop -> {
            try {
                EmbeddedStore store = EmbeddedStore.open(path, settings.storage(), loop, System::currentTimeMillis);
                LOG.infof("Ciphergram keeps name bindings, mailboxes and history in %s", path.toAbsolutePath());
                return store;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the data directory " + path.toAbsolutePath()
                        + " (ciphergram.data.dir): " + e.getMessage(), e);
            }
        };
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
