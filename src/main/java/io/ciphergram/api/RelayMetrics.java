package io.ciphergram.api;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.ciphergram.cluster.ClusterCounters;
import io.ciphergram.cluster.ClusterNode;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.v2.ReliableEvents;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.relay.Counters;
import io.ciphergram.relay.Engine;
import io.ciphergram.server.HttpConnectionGuard;
import io.ciphergram.session.MemoryBudget;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.transport.udp.UdpTransport;
import io.ciphergram.transport.ws.WsTransport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Binds the relay's counters to Micrometer; served at /q/metrics in Prometheus format. It reads only what
 * is safe off the relay thread: the counters and the registry's published counts. Every meter is described
 * in docs/OPERATIONS.md.
 */
@Singleton
public class RelayMetrics implements MeterBinder {

    /** Every transport a session can use. */
    static final List<String> TRANSPORTS = List.of(PeerId.UDP, WsTransport.WS);

    private final Engine engine;
    private final UdpTransport udp;

    private final WsTransport ws;
    private final HttpConnectionGuard http;
    private final AdminAudit audit;

    public RelayMetrics(Engine engine, UdpTransport udp, WsTransport ws, HttpConnectionGuard http, AdminAudit audit) {
        this.engine = engine;
        this.udp = udp;
        this.ws = ws;
        this.http = http;
        this.audit = audit;
    }

    /**
     * Vert.x's {@code redis.*} client and pool meters are not published: they are registered once per
     * connection of the cluster link under one name, which makes Micrometer warn at every start in cluster mode,
     * and {@code ciphergram_cluster_*} say what the link does. {@code http.server.active.connections} is not
     * either: Quarkus registers it once per HTTP server under one name, so it counts one port of two
     * ({@code ciphergram_http_connections} counts both; {@link DuplicateGaugeWarning} keeps its warning, which
     * comes before this filter applies, out of the log).
     */
    @Produces
    @Singleton
    MeterFilter withoutDuplicatedMeters() {
        return MeterFilter.deny(id -> id.getName().startsWith("redis.") || id.getName().equals("http.server.active.connections"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Counters counters = engine.counters();
        FunctionCounter.builder("ciphergram.datagrams.received", counters, Counters::receivedCount)
                .description("Datagrams received on every transport").register(registry);
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder("ciphergram.datagrams.dropped", counters, c -> c.droppedCount(reason))
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description("Datagrams dropped, by reason").register(registry);
        }
        FunctionCounter.builder("ciphergram.messages.relayed", counters, Counters::relayedCount)
                .description("Chat messages delivered, counted once per recipient").register(registry);
        FunctionCounter.builder("ciphergram.messages.refused", counters, Counters::refusedCount)
                .description("Messages refused with an error notice to their sender").register(registry);
        FunctionCounter.builder("ciphergram.datagrams.send.failed", counters, Counters::sendFailedCount)
                .description("Datagrams the transport could not send").register(registry);
        FunctionCounter.builder("ciphergram.datagrams.withheld", counters, Counters::withheldCount)
                .description("Datagrams not sent to addresses that have not proven themselves, to keep within"
                        + " what their source sent").register(registry);
        FunctionCounter.builder("ciphergram.v2.queue.refusals", counters, Counters::queueRefusedCount)
                .description("Lines a v2 recipient's queue, or its share of the memory budget, could not take")
                .register(registry);
        FunctionCounter.builder("ciphergram.sessions.given.up", counters, Counters::givenUpCount)
                .description("Sessions given up: their peer stopped acknowledging, or their queue stayed full")
                .register(registry);
        for (ReliableEvents.Event event : ReliableEvents.Event.values()) {
            FunctionCounter.builder("ciphergram.v2.reliable.events", counters, c -> c.reliableCount(event))
                    .tag("event", event.name().toLowerCase(Locale.ROOT))
                    .description("What the v2 reliable layer saw on the server's sessions (retransmissions, duplicates...)")
                    .register(registry);
        }
        SessionRegistry sessions = engine.sessions();
        for (String profile : Session.PROFILES) {
            for (String transport : TRANSPORTS) {
                Gauge.builder("ciphergram.sessions", sessions, s -> s.count(profile, transport))
                        .tags("profile", profile, "transport", transport)
                        .description("Sessions, by profile and transport").register(registry);
            }
            FunctionCounter.builder("ciphergram.handshakes.completed", counters, c -> c.handshakesCompletedCount(profile))
                    .tag("profile", profile).description("Handshakes that became a session").register(registry);
        }
        FunctionCounter.builder("ciphergram.handshakes.failed", sessions, SessionRegistry::abandonedHandshakes)
                .tag("profile", "classic")
                .description("Classic handshakes that ended without a session (timed out, displaced, evicted)")
                .register(registry);
        FunctionCounter.builder("ciphergram.handshakes.failed", counters, c -> c.handshakesFailedCount("v2"))
                .tag("profile", "v2")
                .description("v2 handshakes that showed a valid cookie and still produced no session").register(registry);
        Gauge.builder("ciphergram.handshakes.pending", sessions, SessionRegistry::pendingHandshakes)
                .description("Classic handshakes under way (half-open)").register(registry);
        FunctionCounter.builder("ciphergram.received", counters, Counters::bytesInCount).baseUnit("bytes")
                .description("Bytes received in datagrams and WebSocket frames, dropped ones included").register(registry);
        FunctionCounter.builder("ciphergram.sent", counters, Counters::bytesOutCount).baseUnit("bytes")
                .description("Bytes handed to the transports to send").register(registry);
        Timer latency = Timer.builder("ciphergram.relay.latency")
                .description("From receiving a line to handing its last copy to a transport")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
                .maximumExpectedValue(Duration.ofSeconds(1)).register(registry);
        counters.relayLatencyTo(nanos -> latency.record(nanos, TimeUnit.NANOSECONDS));
        FunctionCounter.builder("ciphergram.udp.kernel.dropped", udp, u -> Math.max(0, u.kernelDrops()))
                .description("Datagrams the kernel dropped at the UDP sockets because their receive buffers were full"
                        + " (the relay was overloaded and left them there)").register(registry);
        Gauge.builder("ciphergram.ws.connections", ws, WsTransport::connections)
                .description("Open WebSocket connections of the gateway").register(registry);
        Gauge.builder("ciphergram.ws.pending", ws, WsTransport::pendingBytes).baseUnit("bytes")
                .description("Bytes the WebSocket gateway has handed to its connections to write and not yet written")
                .register(registry);
        FunctionCounter.builder("ciphergram.ws.given.up", ws, WsTransport::givenUp)
                .description("WebSocket connections closed because they did not read what they were sent").register(registry);
        FunctionCounter.builder("ciphergram.ws.paused", ws, WsTransport::paused)
                .description("Times a WebSocket connection was not read for a while because it sent more frames than its"
                        + " rate or its source's").register(registry);
        FunctionCounter.builder("ciphergram.ws.held.back", ws, WsTransport::heldBack)
                .description("Times a WebSocket connection was not read for a moment because the relay was busy (TCP"
                        + " holds its client back; nothing is shed)").register(registry);
        for (AdminAudit.Action action : AdminAudit.Action.values()) {
            FunctionCounter.builder("ciphergram.admin.actions", audit, a -> a.count(action))
                    .tag("action", action.name().toLowerCase(Locale.ROOT))
                    .description("Admin API actions, each also an INFO line on io.ciphergram.admin.audit").register(registry);
        }
        Gauge.builder("ciphergram.http.connections", http, HttpConnectionGuard::open)
                .description("TCP connections open on the HTTP and management ports").register(registry);
        FunctionCounter.builder("ciphergram.http.connections.refused", http, HttpConnectionGuard::refusedOverTotal)
                .tag("reason", "total").description("Connections closed on arrival: their port held its maximum")
                .register(registry);
        FunctionCounter.builder("ciphergram.http.connections.refused", http, HttpConnectionGuard::refusedOverAddress)
                .tag("reason", "per_address").description("Connections closed on arrival: their address held its share")
                .register(registry);
        FunctionCounter.builder("ciphergram.http.header.timeouts", http, HttpConnectionGuard::headerTimeouts)
                .description("Connections closed because a request's headers did not arrive in time").register(registry);
        MemoryBudget v2Memory = engine.sessions().v2Memory();
        Gauge.builder("ciphergram.v2.memory.used", v2Memory, MemoryBudget::used).baseUnit("bytes")
                .description("Bytes v2 sessions hold in queues, unacknowledged fragments and reassembly").register(registry);
        FunctionCounter.builder("ciphergram.v2.memory.refusals", v2Memory, MemoryBudget::refusals)
                .description("Messages and fragments refused because the v2 memory budget was spent").register(registry);
        ClusterNode cluster = engine.cluster();
        if (cluster != null) {
            bindCluster(registry, cluster);
        }
    }

    /** Only in a cluster: the link, what crossed it, and what came from it that was not used. */
    private static void bindCluster(MeterRegistry registry, ClusterNode cluster) {
        Gauge.builder("ciphergram.cluster.link.up", cluster, c -> c.linkUp() ? 1 : 0)
                .description("1 while the link to the other instances (Redis) is connected").register(registry);
        Gauge.builder("ciphergram.cluster.instances", cluster, c -> c.status().instances().size())
                .description("Live instances of the cluster, this one included, as last seen").register(registry);
        Gauge.builder("ciphergram.cluster.members.remote", cluster, c -> c.status().remoteMembers())
                .description("Room members on the other instances").register(registry);
        ClusterCounters counters = cluster.counters();
        FunctionCounter.builder("ciphergram.cluster.messages.published", counters, ClusterCounters::publishedCount)
                .description("Room and private messages sent to the other instances").register(registry);
        FunctionCounter.builder("ciphergram.cluster.messages.received", counters, ClusterCounters::receivedCount)
                .description("Messages received from the other instances").register(registry);
        FunctionCounter.builder("ciphergram.cluster.messages.unsent", counters, ClusterCounters::unsentCount)
                .description("Private messages that reached only this instance because the link was down, and room lines"
                        + " given up (more held than the bound, or refused by Redis again and again)")
                .register(registry);
        FunctionCounter.builder("ciphergram.cluster.lines.resent", counters, ClusterCounters::resentCount)
                .description("Room lines sent to the other instances again after the link came back").register(registry);
        Gauge.builder("ciphergram.cluster.lines.held", cluster, ClusterNode::heldLines)
                .description("Room lines not yet stored for the other instances (at the last heartbeat)").register(registry);
        for (ClusterCounters.Drop drop : ClusterCounters.Drop.values()) {
            FunctionCounter.builder("ciphergram.cluster.messages.dropped", counters, c -> c.droppedCount(drop))
                    .tag("reason", drop.name().toLowerCase(Locale.ROOT))
                    .description("What came from Redis and was not used, by reason").register(registry);
        }
        FunctionCounter.builder("ciphergram.cluster.names.renamed", counters, ClusterCounters::renamedCount)
                .description("Sessions renamed because another instance held their name").register(registry);
    }
}
