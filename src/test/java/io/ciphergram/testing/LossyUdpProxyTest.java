package io.ciphergram.testing;

import static io.ciphergram.testing.LossyUdpProxy.Direction.CLIENT_TO_SERVER;
import static io.ciphergram.testing.LossyUdpProxy.Direction.SERVER_TO_CLIENT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntFunction;

import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

import io.ciphergram.testing.LossyUdpProxy.Counters;
import io.ciphergram.testing.LossyUdpProxy.Impairment;

class LossyUdpProxyTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long SEED = 42;
    /** Datagrams sent before waiting for the proxy to take them in, so no socket buffer overflows. */
    private static final int PACE = 50;
    /** The largest UDP payload over IPv4. */
    private static final int MAX_IPV4_PAYLOAD = 65_507;

    @Test
    void withoutImpairmentEveryDatagramArrivesAndEachReplyReachesTheClientThatSentIt() throws Exception {
        try (Endpoint server = Endpoint.echoServer();
                LossyUdpProxy proxy = LossyUdpProxy.start(server.address(), Impairment.none(), SEED);
                Endpoint alice = Endpoint.client();
                Endpoint bob = Endpoint.client()) {
            int each = 20;
            for (int i = 0; i < each; i++) {
                alice.send(text("alice-" + i), proxy.address());
                bob.send(text("bob-" + i), proxy.address());
            }

            awaitUpTo().until(() -> alice.arrivals().size() == each && bob.arrivals().size() == each);
            assertThat(texts(alice)).containsExactlyElementsOf(numbered("alice-", each));
            assertThat(texts(bob)).containsExactlyElementsOf(numbered("bob-", each));
            assertThat(server.arrivals()).hasSize(2 * each);
            Set<InetSocketAddress> peersSeenByServer = new HashSet<>();
            server.arrivals().forEach(arrival -> peersSeenByServer.add(arrival.from()));
            assertThat(peersSeenByServer).as("one upstream peer per client, as behind a NAT")
                    .hasSize(2)
                    .doesNotContain(alice.address(), bob.address(), proxy.address());
            assertThat(proxy.counters(CLIENT_TO_SERVER)).isEqualTo(new Counters(40, 0, 40, 0, 0, 0, 40));
            assertThat(proxy.failures()).isZero();
        }
    }

    @Test
    void withTotalLossNothingReachesTheServer() throws Exception {
        try (Endpoint server = Endpoint.echoServer();
                LossyUdpProxy proxy = LossyUdpProxy.start(server.address(), Impairment.none().withLossRate(1.0),
                        SEED);
                Endpoint client = Endpoint.client()) {
            int count = 50;
            for (int i = 0; i < count; i++) {
                client.send(text("lost-" + i), proxy.address());
            }

            awaitUpTo().until(() -> proxy.counters(CLIENT_TO_SERVER).dropped() == count);
            // Every datagram has been decided and none was scheduled, so none can still be on its way.
            assertThat(proxy.counters(CLIENT_TO_SERVER)).isEqualTo(new Counters(count, count, 0, 0, 0, 0, 0));
            assertThat(server.arrivals()).isEmpty();
            assertThat(proxy.counters(SERVER_TO_CLIENT).received()).isZero();
            assertThat(client.arrivals()).isEmpty();
        }
    }

    @Test
    void harshImpairmentLosesAboutAFifthEachWayAndDuplicatesReplaysAndReordersWhatIsLeft() throws Exception {
        int count = 2_000;
        try (Endpoint server = Endpoint.echoServer();
                LossyUdpProxy proxy = LossyUdpProxy.start(server.address(), Impairment.harsh(), SEED);
                Endpoint client = Endpoint.client()) {
            sendPaced(client, proxy, count, LossyUdpProxyTest::sequenceNumber);
            awaitQuiet(proxy, server, client);

            List<Integer> atServer = server.arrivals().stream().map(a -> sequenceNumberOf(a.payload())).toList();
            Set<Integer> distinct = new HashSet<>(atServer);
            Counters toServer = proxy.counters(CLIENT_TO_SERVER);
            assertThat(toServer.received()).isEqualTo(count);
            assertThat(distinct).hasSize((int) toServer.forwarded());
            assertThat(1.0 - distinct.size() / (double) count).as("loss observed by the server")
                    .isBetween(0.15, 0.25);
            Counters toClient = proxy.counters(SERVER_TO_CLIENT);
            assertThat(toClient.received()).isEqualTo(atServer.size());
            assertThat(toClient.dropped() / (double) toClient.received()).as("loss on the way back")
                    .isBetween(0.15, 0.25);

            ArrivalPattern pattern = ArrivalPattern.of(atServer);
            assertThat(pattern.repeatedBackToBack()).as("duplicates seen by the server").isPositive();
            assertThat(pattern.repeatedAfterOthers()).as("replays seen by the server").isPositive();
            assertThat(pattern.overtaken()).as("datagrams overtaken by later ones").isPositive();
            assertThat(toServer.duplicated()).isPositive();
            assertThat(toServer.replayed()).isPositive();
            assertThat(toServer.reordered()).isPositive();
            assertThat(toClient.duplicated()).isPositive();
            assertThat(toClient.replayed()).isPositive();
            assertThat(toClient.reordered()).isPositive();
            assertThat(client.arrivals()).hasSize((int) toClient.sent());
            assertThat(proxy.failures()).isZero();
        }
    }

    @Test
    void theSameSeedMakesTheSameDecisionsForTheSameTraffic() throws Exception {
        int count = 500;
        List<Counters> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (Endpoint server = Endpoint.echoServer();
                    LossyUdpProxy proxy = LossyUdpProxy.start(server.address(), Impairment.harsh(), SEED);
                    Endpoint client = Endpoint.client()) {
                sendPaced(client, proxy, count, LossyUdpProxyTest::sequenceNumber);
                runs.add(proxy.counters(CLIENT_TO_SERVER));
            }
        }

        // Only the client-to-server decisions: one client's datagrams reach the proxy in the order sent.
        assertThat(runs.get(0).dropped()).isPositive();
        assertThat(withoutSent(runs.get(1))).isEqualTo(withoutSent(runs.get(0)));
    }

    @Test
    void aMaximumSizeDatagramCrossesIntactBothWays() throws Exception {
        byte[] payload = new byte[MAX_IPV4_PAYLOAD];
        new Random(SEED).nextBytes(payload);
        try (Endpoint server = Endpoint.echoServer();
                LossyUdpProxy proxy = LossyUdpProxy.start(server.address(), Impairment.none(), SEED);
                Endpoint client = Endpoint.client()) {
            client.send(payload, proxy.address());

            awaitUpTo().until(() -> client.arrivals().size() == 1);
            assertThat(server.arrivals().get(0).payload()).isEqualTo(payload);
            assertThat(client.arrivals().get(0).payload()).isEqualTo(payload);
        }
    }

    @Test
    void closeStopsTheProxyThreadWithinASecondAndReleasesEveryPort() throws Exception {
        try (Endpoint server = Endpoint.echoServer(); Endpoint client = Endpoint.client()) {
            LossyUdpProxy proxy = LossyUdpProxy.start(server.address(), Impairment.none(), SEED);
            client.send(text("hello"), proxy.address());
            awaitUpTo().until(() -> client.arrivals().size() == 1);
            InetSocketAddress front = proxy.address();
            InetSocketAddress upstreamFacing = server.arrivals().get(0).from();
            String threadName = LossyUdpProxy.THREAD_NAME_PREFIX + front.getPort();
            assertThat(liveThreadsNamed(threadName)).isOne();

            long start = System.nanoTime();
            proxy.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(liveThreadsNamed(threadName)).isZero();
            for (InetSocketAddress released : List.of(front, upstreamFacing)) {
                assertThatCode(() -> new DatagramSocket(released).close()).as("binding %s again", released)
                        .doesNotThrowAnyException();
            }
        }
    }

    private static void sendPaced(Endpoint client, LossyUdpProxy proxy, int count, IntFunction<byte[]> payload)
            throws IOException {
        for (int sent = 0; sent < count;) {
            int upTo = Math.min(count, sent + PACE);
            for (; sent < upTo; sent++) {
                client.send(payload.apply(sent), proxy.address());
            }
            int taken = upTo;
            awaitUpTo().until(() -> proxy.counters(CLIENT_TO_SERVER).received() == taken);
        }
    }

    /** Until nothing is held back and everything sent has been received, both ways. */
    private static void awaitQuiet(LossyUdpProxy proxy, Endpoint server, Endpoint client) {
        awaitUpTo().until(() -> {
            Counters toServer = proxy.counters(CLIENT_TO_SERVER);
            Counters toClient = proxy.counters(SERVER_TO_CLIENT);
            return toServer.inFlight() == 0 && server.arrivals().size() == toServer.sent()
                    && toClient.received() == toServer.sent() && toClient.inFlight() == 0
                    && client.arrivals().size() == toClient.sent();
        });
    }

    private static ConditionFactory awaitUpTo() {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(2));
    }

    private static long liveThreadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals(name))
                .count();
    }

    private static Counters withoutSent(Counters c) {
        return new Counters(c.received(), c.dropped(), c.forwarded(), c.duplicated(), c.reordered(), c.replayed(),
                0);
    }

    private static byte[] sequenceNumber(int n) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(n).array();
    }

    private static int sequenceNumberOf(byte[] payload) {
        return ByteBuffer.wrap(payload).getInt();
    }

    private static byte[] text(String s) {
        return s.getBytes(UTF_8);
    }

    private static List<String> texts(Endpoint endpoint) {
        return endpoint.arrivals().stream().map(a -> new String(a.payload(), UTF_8)).toList();
    }

    private static List<String> numbered(String prefix, int count) {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(prefix + i);
        }
        return expected;
    }

    /**
     * What a receiver can tell from the order of sequence numbers alone. A repeat straight after its first
     * copy is a duplicate; a repeat after other datagrams is a replay; a first copy arriving after a higher
     * number is one that was overtaken.
     */
    private record ArrivalPattern(int repeatedBackToBack, int repeatedAfterOthers, int overtaken) {

        static ArrivalPattern of(List<Integer> arrivals) {
            Set<Integer> seen = new HashSet<>();
            int backToBack = 0;
            int afterOthers = 0;
            int overtaken = 0;
            int highest = -1;
            Integer previous = null;
            for (Integer n : arrivals) {
                if (!seen.add(n)) {
                    if (n.equals(previous)) {
                        backToBack++;
                    } else {
                        afterOthers++;
                    }
                } else if (n < highest) {
                    overtaken++;
                }
                highest = Math.max(highest, n);
                previous = n;
            }
            return new ArrivalPattern(backToBack, afterOthers, overtaken);
        }
    }

    private record Arrival(byte[] payload, InetSocketAddress from) {
    }

    /** A UDP socket on 127.0.0.1 that records what it receives and, as a server, echoes it to the sender. */
    private static final class Endpoint implements AutoCloseable {
        private final DatagramSocket socket;
        private final boolean echo;
        private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
        private final Thread receiver;

        private Endpoint(boolean echo) throws SocketException {
            this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setReceiveBufferSize(1 << 20);
            this.echo = echo;
            this.receiver = new Thread(this::receiveLoop, "test-udp-" + (echo ? "echo-server" : "client"));
            receiver.setDaemon(true);
            receiver.start();
        }

        static Endpoint echoServer() throws SocketException {
            return new Endpoint(true);
        }

        static Endpoint client() throws SocketException {
            return new Endpoint(false);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(byte[] payload, InetSocketAddress to) throws IOException {
            socket.send(new DatagramPacket(payload, payload.length, to));
        }

        List<Arrival> arrivals() {
            return new ArrayList<>(arrivals);
        }

        private void receiveLoop() {
            byte[] buffer = new byte[LossyUdpProxy.MAX_DATAGRAM];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                    byte[] payload = Arrays.copyOf(packet.getData(), packet.getLength());
                    InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
                    arrivals.add(new Arrival(payload, from));
                    if (echo) {
                        send(payload, from);
                    }
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                    // A failed echo shows up as a missing arrival at the client; keep serving.
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            receiver.join(1_000);
        }
    }
}
