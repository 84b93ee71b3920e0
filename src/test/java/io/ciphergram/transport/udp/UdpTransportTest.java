package io.ciphergram.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.relay.ChatRelay;
import io.ciphergram.relay.Engine;
import io.ciphergram.relay.RelaySettings;
import io.ciphergram.testing.ClassicPeer;

/**
 * The UDP edge without Quarkus: it serves on the port it bound and, once stopped, releases that port,
 * which is what lets a dev-mode live reload serve on 12345 again.
 */
class UdpTransportTest {

    private final Engine engine = Engine.start(RelaySettings.defaults(), null);

    @AfterEach
    void close() throws Exception {
        engine.close();
    }

    private UdpTransport transport(int port) {
        return new UdpTransport(engine.relay(), engine.counters(), "127.0.0.1", port);
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

    /** Keeps the relay thread busy until the returned latch is counted down, as an overloaded relay is. */
    private CountDownLatch holdTheRelayThread() {
        CountDownLatch stuck = new CountDownLatch(1);
        engine.loop().execute(() -> {
            try {
                stuck.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return stuck;
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

    @Test
    void anOverloadedRelayIsNotFedMoreThanItCanTakeAndTheKernelsDropsAreCounted() throws Exception {
        // A small socket buffer, so that what the relay cannot take overflows it quickly.
        UdpTransport udp = new UdpTransport(engine.relay(), engine.counters(), "127.0.0.1", 0, 1, 64 * 1024, 64 * 1024);
        udp.start(null);
        CountDownLatch stuck = holdTheRelayThread();
        long before = engine.counters().receivedCount();
        try (DatagramSocket client = new DatagramSocket()) {
            byte[] junk = "not a frame".getBytes(StandardCharsets.US_ASCII);
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", udp.port());
            for (int i = 0; i < 20_000; i++) {
                client.send(new DatagramPacket(junk, junk.length, server));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.relay().busy() && udp.kernelDrops() > 0);
        } finally {
            stuck.countDown();
        }
        // Every datagram is either handled by the relay or counted as dropped by the kernel.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> engine.counters().receivedCount() - before + udp.kernelDrops() == 20_000);
        assertThat(engine.counters().droppedCount(DropReason.OVERLOADED)).as("nothing shed after it was read").isZero();
        udp.stop(null);
    }

    @Test
    void aTransportHoldingBackParksUntilTheRelayHasWorkedItsBacklogDown() throws Exception {
        CountDownLatch stuck = holdTheRelayThread();
        PeerId peer = PeerId.udp(new InetSocketAddress("127.0.0.1", 9));
        for (int i = 0; i < ChatRelay.MAX_WAITING; i++) {
            engine.relay().submit(peer, new byte[] {'x'});
        }
        AtomicInteger looks = new AtomicInteger();
        Thread receiver = new Thread(() -> {
            while (engine.relay().busy()) { // as a receive thread holds back
                looks.incrementAndGet();
                engine.relay().awaitRoom();
            }
        });
        long start = System.nanoTime();
        receiver.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.getState() == Thread.State.TIMED_WAITING);
        // it wakes every 20 ms at most, finds the relay still busy and parks again
        await().atMost(Duration.ofSeconds(5)).until(() -> looks.get() >= 3);
        assertThat(receiver.isAlive()).as("held back while the relay is busy").isTrue();
        stuck.countDown();
        receiver.join(5_000);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(receiver.isAlive()).as("woken once the backlog is down").isFalse();
        // parked 20 ms at a time while the relay is stuck: a handful of looks, not one every few microseconds
        assertThat(looks.get()).isBetween(1, (int) (millis / 10) + 5);
    }

    @Test
    void aRelayTooBusyToTakeMoreShedsTheExcessOnArrivalAndCountsIt() throws Exception {
        CountDownLatch stuck = holdTheRelayThread();
        PeerId peer = PeerId.udp(new InetSocketAddress("127.0.0.1", 9));
        for (int i = 0; i < 5_000; i++) {
            engine.relay().submit(peer, new byte[] {'x'});
        }
        assertThat(engine.relay().busy()).isTrue();
        assertThat(engine.counters().droppedCount(DropReason.OVERLOADED)).isEqualTo(5_000 - ChatRelay.MAX_WAITING);
        stuck.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.counters().receivedCount() == 5_000);
    }
}
