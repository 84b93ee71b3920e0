package io.ciphergram.api;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import io.ciphergram.cluster.ClusterNode;
import io.ciphergram.cluster.ClusterStatus;
import io.ciphergram.relay.Engine;
import io.ciphergram.relay.RelayLoop;
import io.ciphergram.server.Lifecycle;
import io.ciphergram.transport.udp.UdpTransport;
import io.ciphergram.transport.ws.WsTransport;

/**
 * Health on the management interface ({@code /q/health/live}, {@code /q/health/ready}, port 9000):
 * <ul>
 * <li>live, {@code relay (udp, ws)}: the relay thread, which every transport needs, is still taking turns
 * (it takes one at least every second; ten seconds without one means it is stuck, and only a restart
 * helps);</li>
 * <li>ready, {@code udp}: the UDP socket is bound and the server is not shutting down;</li>
 * <li>ready, {@code ws}: the WebSocket gateway accepts connections (it stops at shutdown);</li>
 * <li>ready, {@code cluster}: in a cluster, the link to the other instances (Redis) is connected. DOWN
 * while it is not, though the instance goes on serving its own users; always UP for an instance alone.</li>
 * </ul>
 */
@ApplicationScoped
public class HealthChecks {

    /** Longer than this without a turn and the relay thread is stuck. */
    static final long STUCK_NANOS = 10 * RelayLoop.HEARTBEAT;

    @Produces
    @Liveness
    public HealthCheck relay(Engine engine) {
        return liveness(engine.loop());
    }

    /** The liveness check of one relay thread (RelayLivenessTest drives a loop on a clock of its own). */
    static HealthCheck liveness(RelayLoop loop) {
        return () -> {
            long since = loop.sinceLastTurnNanos();
            return HealthCheckResponse.named("relay (udp, ws)").status(since < STUCK_NANOS)
                    .withData("last-turn-ms-ago", TimeUnit.NANOSECONDS.toMillis(since)).build();
        };
    }

    @Produces
    @Readiness
    public HealthCheck udp(UdpTransport udp, Lifecycle lifecycle) {
        return () -> HealthCheckResponse.named("udp").status(udp.listening() && !lifecycle.stopping())
                .withData("port", udp.port()).withData("shutting-down", lifecycle.stopping()).build();
    }

    @Produces
    @Readiness
    public HealthCheck cluster(Engine engine) {
        ClusterNode node = engine.cluster();
        if (node == null) {
            return () -> HealthCheckResponse.named("cluster").up().withData("mode", "single instance").build();
        }
        return () -> {
            ClusterStatus status = node.status();
            return HealthCheckResponse.named("cluster").status(node.linkUp()).withData("mode", "redis")
                    .withData("cluster", status.cluster()).withData("instance", status.instance())
                    .withData("instances", status.instances().size()).build();
        };
    }

    @Produces
    @Readiness
    public HealthCheck ws(WsTransport ws, Lifecycle lifecycle) {
        return () -> HealthCheckResponse.named("ws").status(ws.accepting() && !lifecycle.stopping())
                .withData("path", "/ws").withData("connections", ws.connections()).build();
    }
}
