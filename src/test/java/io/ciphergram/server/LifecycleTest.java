package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ciphergram.api.HealthChecks;
import io.ciphergram.relay.Engine;
import io.ciphergram.relay.RelaySettings;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.transport.udp.UdpTransport;
import io.ciphergram.transport.ws.GatewayLimits;
import io.ciphergram.transport.ws.WsTransport;
import io.vertx.core.Vertx;

/** Readiness follows the UDP socket and shutdown; shutdown tells everyone and stops the gateway accepting. */
class LifecycleTest {

    private final Vertx vertx = Vertx.vertx();
    private final Engine engine = Engine.start(RelaySettings.defaults(), null);
    private final UdpTransport udp = new UdpTransport(engine.relay(), engine.counters(), "127.0.0.1", 0);
    private final WsTransport ws = new WsTransport(engine.relay(), engine.counters(), vertx, GatewayLimits.defaults());
    private final Lifecycle lifecycle = new Lifecycle(engine, ws, Duration.ofSeconds(2));
    private final HealthChecks checks = new HealthChecks();

    @AfterEach
    void close() throws Exception {
        udp.stop(null);
        engine.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void readinessIsDownUntilBoundAndFromTheStartOfShutdownWhileLivenessStaysUp() throws Exception {
        HealthCheck udpReady = checks.udp(udp, lifecycle);
        HealthCheck wsReady = checks.ws(ws, lifecycle);
        HealthCheck live = checks.relay(engine);
        assertThat(udpReady.call().getStatus()).as("before the socket is bound").isEqualTo(Status.DOWN);

        udp.start(null);
        assertThat(udpReady.call().getStatus()).isEqualTo(Status.UP);
        assertThat(wsReady.call().getStatus()).isEqualTo(Status.UP);
        assertThat(live.call().getStatus()).isEqualTo(Status.UP);

        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "lc-alice")) {
            lifecycle.stop(null);
            alice.awaitLine("* server shutting down");
        }
        assertThat(lifecycle.stopping()).isTrue();
        assertThat(udpReady.call().getStatus()).as("shutting down").isEqualTo(Status.DOWN);
        assertThat(wsReady.call().getStatus()).isEqualTo(Status.DOWN);
        assertThat(ws.accepting()).isFalse();
        assertThat(live.call().getStatus()).as("alive until the very end").isEqualTo(Status.UP);
    }
}
