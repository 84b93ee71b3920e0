package io.ciphergram.server;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ciphergram.cluster.ClusterLink;
import io.ciphergram.cluster.ClusterNode;
import io.ciphergram.cluster.ClusterSettings;
import io.ciphergram.cluster.redis.RedisLink;
import io.ciphergram.cluster.redis.RedisStore;
import io.ciphergram.store.Store;
import io.ciphergram.store.StorePolicy;
import java.util.concurrent.Executor;
import io.ciphergram.relay.Engine;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

/**
 * Cluster mode, when {@code ciphergram.cluster.redis} is set: the cluster's settings, and the Redis link
 * over the client Quarkus configures from {@code quarkus.redis.*} (whose hosts are that same setting).
 * Without it, nothing here touches Redis: the engine runs alone. Once the transports are bound, the
 * instance tells the others where it listens (shown by their {@code GET /api/server}); at shutdown it says
 * goodbye.
 */
@ApplicationScoped
public class ClusterWiring {

    private static final Logger LOG = Logger.getLogger(ClusterWiring.class);

    private final Optional<String> redisUrl;
    private final String name;
    private final Optional<String> instance;
    private final Duration heartbeat;
    private final Duration ttl;
    private final Instance<Redis> redis;
    private final Vertx vertx;
    private final String version;
    private final Instant started = Instant.now();
    private ClusterSettings settings;

    public ClusterWiring(@ConfigProperty(name = "ciphergram.cluster.redis") Optional<String> redisUrl,
            @ConfigProperty(name = "ciphergram.cluster.name") String name,
            @ConfigProperty(name = "ciphergram.cluster.instance") Optional<String> instance,
            @ConfigProperty(name = "ciphergram.cluster.heartbeat") Duration heartbeat,
            @ConfigProperty(name = "ciphergram.cluster.ttl") Duration ttl,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version,
            Instance<Redis> redis, Vertx vertx) {
        this.redisUrl = redisUrl.filter(url -> !url.isBlank());
        this.name = name;
        this.instance = instance;
        this.heartbeat = heartbeat;
        this.ttl = ttl;
        this.version = version;
        this.redis = redis;
        this.vertx = vertx;
    }

    /** Whether this instance is one of a cluster. */
    public boolean enabled() {
        return redisUrl.isPresent();
    }

    /** The cluster's settings; only when {@link #enabled()}. */
    public synchronized ClusterSettings settings() {
        if (settings == null) {
            settings = new ClusterSettings(name, instance.orElseGet(ClusterWiring::defaultInstanceId), heartbeat, ttl);
        }
        return settings;
    }

    /** A new link to Redis; only when {@link #enabled()}. */
    ClusterLink link() {
        String where = withoutPassword(redisUrl.orElseThrow());
        ClusterSettings s = settings();
        LOG.infof("Ciphergram cluster %s: instance %s, through Redis at %s; a lost instance's users leave within %d s",
                s.name(), s.instance(), where, s.presenceBound().toSeconds());
        return new RedisLink(vertx, redis.get(), s, where);
    }

    /** The store every instance of the cluster shares, in the same Redis; only when {@link #enabled()}. */
    Store store(StorePolicy policy, Executor relayThread) {
        return new RedisStore(redis.get(), settings().name(), policy, relayThread, System::currentTimeMillis);
    }

    /** After the transports bound their ports: the instance says where it listens. */
    void describe(@Observes @Priority(3000) StartupEvent event, Engine engine, UdpTransport udp,
            @ConfigProperty(name = "quarkus.http.port") int httpPort) {
        ClusterNode node = engine.cluster();
        if (node == null) {
            return;
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("host", host());
        info.put("udpPort", udp.port());
        info.put("httpPort", httpPort);
        info.put("version", version);
        info.put("startedAt", started.toString());
        try {
            node.describe(new ObjectMapper().writeValueAsString(info));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * At SIGTERM, after {@link Lifecycle} has told every participant (it observes first): this instance's
     * goodbye reaches Redis, so the other instances drop its users at once, before the Redis client closes.
     */
    void leave(@Observes @Priority(20) ShutdownEvent event, Engine engine,
            @ConfigProperty(name = "ciphergram.shutdown.grace") Duration grace) {
        ClusterNode node = engine.cluster();
        if (node != null) {
            node.close(grace);
        }
    }

    private static String host() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? "unknown" : host;
    }

    /** The host name, cut to the id alphabet, and a random suffix: unique per start. */
    static String defaultInstanceId() {
        String host = host().replaceAll("[^A-Za-z0-9_.-]", "-");
        host = host.substring(0, Math.min(host.length(), 40));
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        return (host.isEmpty() || host.equals("unknown") ? "ciphergram" : host) + "-" + HexFormat.of().formatHex(random);
    }

    /** {@code redis://:secret@host:6379/0} as {@code redis://host:6379/0}: never a password in a log. */
    static String withoutPassword(String url) {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getRawUserInfo() == null) {
                return url.trim();
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            return "(an address that is not a URI)";
        }
    }
}
