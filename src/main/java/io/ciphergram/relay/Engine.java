package io.ciphergram.relay;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.ciphergram.cluster.ClusterLink;
import io.ciphergram.cluster.ClusterNode;
import io.ciphergram.cluster.ClusterSettings;
import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.session.Confinement;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.store.MemoryStore;
import io.ciphergram.store.Store;
import io.ciphergram.store.StorePolicy;

/**
 * The engine as the service runs it, assembled in plain Java: the relay thread, the registry it owns, the
 * handshake workers and the relay, and in a cluster this instance's {@link ClusterNode} (its heartbeat is a
 * relay-thread timer; what it queued is handed to its link at the end of every relay turn). Transports
 * attach to {@link #relay()}; the Quarkus wiring ({@code io.ciphergram.server}) only reads configuration
 * into {@link RelaySettings} and starts and stops this.
 */
public final class Engine implements AutoCloseable {

    private static final Duration EXPIRY_SWEEP = Duration.ofSeconds(10);
    private static final int HANDSHAKE_WORKERS = 1;
    private static final int HANDSHAKE_QUEUE = 256;
    private static final Duration LINK_GRACE = Duration.ofSeconds(1);
    /** How often the store forgets what its policy no longer keeps (history, mailboxes, unused bindings). */
    private static final Duration STORE_SWEEP = Duration.ofMinutes(1);

    private final RelayLoop loop;
    private final WorkerOffload offload;
    private final SessionRegistry sessions;
    private final Counters counters;
    private final ChatRelay relay;
    private final ServerIdentity identity;
    private final RelaySettings settings;
    private final ClusterNode cluster;
    private final Store store;

    private Engine(RelaySettings settings, ServerIdentity identity, RelayEvents events, ClusterSettings clusterSettings,
            ClusterLink link, Function<Executor, Store> openStore) {
        this.identity = identity;
        this.settings = settings;
        LongSupplier clock = System::nanoTime;
        Confinement owner = Confinement.firstUse();
        this.loop = new RelayLoop(clock, owner);
        this.offload = new WorkerOffload(loop, HANDSHAKE_WORKERS, HANDSHAKE_QUEUE);
        this.counters = new Counters();
        this.sessions = new SessionRegistry(settings.sessions(), clock, owner);
        ServerHandshake handshake = identity == null ? null : new ServerHandshake(identity, settings.v2Limits(),
                new SecureRandom(), clock.getAsLong());
        this.store = openStore.apply(loop);
        this.relay = new ChatRelay(sessions, counters, settings, handshake, loop, loop, offload, events, store,
                System::currentTimeMillis);
        relay.start();
        loop.every(EXPIRY_SWEEP.toNanos(), relay::expireIdle);
        loop.every(STORE_SWEEP.toNanos(), () -> sweep(store, settings.storage(), System.currentTimeMillis()));
        if (link == null) {
            this.cluster = null;
            loop.endOfTurn(relay::endOfTurn);
        } else {
            ClusterNode node = new ClusterNode(clusterSettings, link, loop, clock);
            this.cluster = node;
            relay.join(node);
            loop.endOfTurn(() -> {
                relay.endOfTurn();
                node.flush();
            });
            loop.every(clusterSettings.heartbeat().toNanos(), node::tick);
        }
    }

    /** @param identity the server's v2 identity, or null for a classic-only engine; plain logs */
    public static Engine start(RelaySettings settings, ServerIdentity identity) {
        return new Engine(settings, identity, RelayEvents.PLAIN, null, null, memory(settings));
    }

    /** @param events where drops and session starts and ends are logged */
    public static Engine start(RelaySettings settings, ServerIdentity identity, RelayEvents events) {
        return new Engine(settings, identity, events, null, null, memory(settings));
    }

    /** One instance of a cluster, meeting the others through {@code link}. */
    public static Engine start(RelaySettings settings, ServerIdentity identity, RelayEvents events,
            ClusterSettings cluster, ClusterLink link) {
        return new Engine(settings, identity, events, cluster, link, memory(settings));
    }

    /**
     * An engine whose durable state is in the store {@code openStore} opens (given the relay thread, on which
     * the store completes what it is asked).
     */
    public static Engine start(RelaySettings settings, ServerIdentity identity, RelayEvents events,
            ClusterSettings cluster, ClusterLink link, Function<Executor, Store> openStore) {
        return new Engine(settings, identity, events, cluster, link, openStore);
    }

    /** State kept in memory only: gone with the process (tests, and a relay configured without a data directory). */
    public static Function<Executor, Store> memory(RelaySettings settings) {
        return loop -> MemoryStore.open(settings.storage(), loop, System::currentTimeMillis);
    }

    /** This instance's membership of a cluster, or null when it runs alone. */
    public ClusterNode cluster() {
        return cluster;
    }

    /** The server's v2 identity, or null for a classic-only engine. */
    public ServerIdentity identity() {
        return identity;
    }

    public RelaySettings settings() {
        return settings;
    }

    public ChatRelay relay() {
        return relay;
    }

    public Counters counters() {
        return counters;
    }

    /** Only {@link SessionRegistry#liveCount()} may be read off the relay thread. */
    public SessionRegistry sessions() {
        return sessions;
    }

    /** The relay thread, for work that must run on it. */
    public RelayLoop loop() {
        return loop;
    }

    private static void sweep(Store store, StorePolicy policy, long nowMillis) {
        store.history().expireOlderThan(nowMillis - policy.historyAge().toMillis());
        store.mailboxes().expireOlderThan(nowMillis - policy.mailboxAge().toMillis());
        store.bindings().expireUnusedSince(nowMillis - policy.bindingsUnusedFor().toMillis());
    }

    /** The relay's durable state; its answers come on the relay thread. */
    public Store store() {
        return store;
    }

    @Override
    public void close() {
        loop.close();
        offload.close();
        store.close();
        if (cluster != null) {
            cluster.close(LINK_GRACE); // the goodbye queued at shutdown leaves before the connection closes
        }
    }
}
