package io.ciphergram.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ciphergram.relay.Engine;
import io.ciphergram.relay.RelaySettings;
import io.ciphergram.testing.ClassicPeer;
import io.vertx.core.Vertx;

/**
 * The UDP edge without Quarkus: it serves on the port it bound and, once stopped, releases that port,
 * which is what lets a dev-mode live reload serve on 12345 again.
 */
class UdpTransportTest {

    private final Vertx vertx = Vertx.vertx();
    private final Engine engine = Engine.start(RelaySettings.defaults(), null);

    @AfterEach
    void close() throws Exception {
        engine.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private UdpTransport transport(int port) {
        return new UdpTransport(vertx, engine.relay(), engine.counters(), "127.0.0.1", port);
    }

    /**
     * Whether a plain socket (no SO_REUSEADDR) can bind the port. The JDK closes a channel registered
     * with a selector on the selector's next wakeup, so the port is free a moment after stop returns.
     */
    private static boolean free(int port) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aStoppedTransportReleasesItsPortAndARestartServesOnIt() throws Exception {
        UdpTransport first = transport(0);
        first.start(null);
        int port = first.port();
        assertThat(free(port)).isFalse();
        try (ClassicPeer peer = ClassicPeer.join(port, "u1")) {
            peer.awaitLine("* you are u1; say something to join the room (/help lists commands)");
        }
        first.stop(null);
        assertThat(first.listening()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> free(port));

        UdpTransport second = transport(port); // as after a live reload: the same fixed port
        second.start(null);
        try (ClassicPeer peer = ClassicPeer.join(port, "u2")) {
            peer.awaitLine("* you are u2; say something to join the room (/help lists commands)");
        }
        second.stop(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> free(port));
    }
}
