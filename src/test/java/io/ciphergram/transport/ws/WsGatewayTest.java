package io.ciphergram.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.cli.ClientCommand;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.relay.Counters;
import io.ciphergram.relay.Engine;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.RawWebSocket;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import picocli.CommandLine;

/** The gateway without a browser: the console client over WebSocket, and what the gateway refuses. */
@QuarkusTest
class WsGatewayTest {

    @Inject
    UdpTransport udp;

    @Inject
    WsTransport wsTransport;

    @Inject
    Engine engine;

    @Inject
    Counters counters;

    @TestHTTPResource("/ws")
    URL gateway;

    @TempDir
    Path home;

    private URI ws() {
        return URI.create("ws://localhost:" + gateway.getPort() + "/ws");
    }

    @Test
    void theConsoleClientJoinsThroughTheGatewayAndLeavingIsToldAtOnce() throws Exception {
        try (ClassicPeer dora = ClassicPeer.join(udp.port(), "g1dora")) {
            PipedWriter typing = new PipedWriter();
            PipedReader stdin = new PipedReader(typing);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(new ClientCommand(
                    new BufferedReader(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                    .execute("--server", ws().toString(), "--name", "g1web", "--known-servers", home.resolve("known").toString()));
            dora.awaitLine("* g1web joined");
            typing.write("hello over the gateway\n");
            typing.flush();
            dora.awaitLine("g1web: hello over the gateway");
            dora.say("hello back over UDP");
            Awaitility.await().atMost(ClassicPeer.WAIT)
                    .until(() -> out.toString(StandardCharsets.UTF_8).contains("g1dora: hello back over UDP\n"));
            typing.close();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
            dora.awaitLine("* g1web left");
        }
    }


    @Test
    void textFramesOversizeFramesAndClassicDatagramsCloseTheConnection() throws Exception {
        assertThat(closeCode(ws -> ws.sendText("hello", true))).isEqualTo(WsGateway.POLICY_VIOLATION);
        assertThat(closeCode(ws -> ws.sendBinary(ByteBuffer.wrap(new byte[1300]), true)))
                .isEqualTo(WsTransport.MESSAGE_TOO_BIG);
        assertThat(closeCode(ws -> ws.sendBinary(ByteBuffer.wrap("SYN".getBytes(StandardCharsets.US_ASCII)), true)))
                .isEqualTo(WsGateway.POLICY_VIOLATION);
    }

    /** Opens a connection, does {@code what}, and returns the status code the server closed it with. */
    private int closeCode(Function<WebSocket, CompletableFuture<WebSocket>> what) throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(ws(), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.completeExceptionally(error);
            }
        }).get(10, TimeUnit.SECONDS);
        what.apply(socket).get(10, TimeUnit.SECONDS);
        return closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anUpgradeFromAnotherSitesPageIsRefused() throws Exception {
        assertThat(upgradeStatus("localhost:" + port(), "http://evil.example")).isEqualTo(403);
        assertThat(upgradeStatus("localhost:" + port(), "http://localhost:" + port())).as("the gateway's own page")
                .isEqualTo(101);
        assertThat(upgradeStatus("127.0.0.1:" + port(), "http://127.0.0.1:" + port())).as("its page by address")
                .isEqualTo(101);
        assertThat(upgradeStatus("localhost:" + port(), null)).as("no Origin: not a browser").isEqualTo(101);
    }

    /**
     * DNS rebinding: a page of attacker.example, whose name the attacker made resolve to this server, is its
     * own origin as far as the browser knows, so the Host header is checked against the names the server has.
     */
    @Test
    void anUpgradeByANameTheServerDoesNotHaveIsRefusedWhateverTheOrigin() throws Exception {
        assertThat(upgradeStatus("attacker.example:" + port(), "http://attacker.example:" + port())).isEqualTo(403);
        assertThat(upgradeStatus("attacker.example", "http://attacker.example")).isEqualTo(403);
        assertThat(upgradeStatus("attacker.example:" + port(), null)).as("an unknown Host, no Origin").isEqualTo(403);
        assertThat(upgradeStatus(null, null)).as("no Host at all").isEqualTo(400);
        assertThat(upgradeStatus("LOCALHOST:" + port(), "http://localhost:" + port())).as("names ignore case")
                .isEqualTo(101);
        String machine = InetAddress.getLocalHost().getHostName();
        assertThat(upgradeStatus(machine + ":" + port(), "http://" + machine + ":" + port())).as("the machine's own name")
                .isEqualTo(101);
    }

    private int port() {
        return gateway.getPort();
    }

    private int upgradeStatus(String host, String origin) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(port(), new RawWebSocket.Options().header("Host", host).header("Origin", origin))) {
            return ws.status();
        }
    }

    @Test
    void whileTheRelayIsBusyTheGatewayStopsReadingInsteadOfSheddingAndTheFrameIsHandledAfter() throws Exception {
        long overloaded = counters.droppedCount(DropReason.OVERLOADED);
        long heldBack = wsTransport.heldBack();
        try (RawWebSocket ws = RawWebSocket.open(port());
                DatagramSocket flood = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            assertThat(ws.status()).isEqualTo(101);
            CountDownLatch stuck = new CountDownLatch(1);
            engine.loop().execute(() -> {
                try {
                    stuck.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                // UDP fills the relay's queue (its receive threads then wait), as a burst from many clients would.
                byte[] junk = new byte[32];
                for (int i = 0; i < 1_500; i++) {
                    flood.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.0.1", udp.port())));
                }
                Awaitility.await("the relay is busy").atMost(Duration.ofSeconds(10)).until(engine.relay()::busy);

                ws.sendBinary(new ClientHandshake("g9held", new SecureRandom()).hello());
                Awaitility.await("the gateway holds the connection back").atMost(Duration.ofSeconds(10))
                        .until(() -> wsTransport.heldBack() > heldBack);
            } finally {
                stuck.countDown();
            }
            byte[] answer = ws.receiveBinary(10_000);
            assertThat(answer).as("the Hello reached the relay once it had room: a Retry came back").isNotNull();
            assertThat(answer[2]).isEqualTo(V2Codec.RETRY);
            assertThat(counters.droppedCount(DropReason.OVERLOADED)).as("nothing shed").isEqualTo(overloaded);
        }
    }

    @Test
    void aConnectionThatDropsWithoutAWordEndsItsSessionAtOnce() throws Exception {
        try (ClassicPeer dora = ClassicPeer.join(udp.port(), "g2dora")) {
            BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(ws(), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                    byte[] bytes = new byte[data.remaining()];
                    data.get(bytes);
                    replies.add(bytes);
                    webSocket.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            ClientHandshake handshake =
                    new ClientHandshake("g2gone", new SecureRandom());
            socket.sendBinary(ByteBuffer.wrap(handshake.hello()), true).get(10, TimeUnit.SECONDS);
            byte[] offer = handshake.onRetry((V2Frame.Retry)
                    V2Codec.decode(replies.poll(10, TimeUnit.SECONDS)));
            socket.sendBinary(ByteBuffer.wrap(offer), true).get(10, TimeUnit.SECONDS);
            var established = handshake.onKeyReply((V2Frame.KeyReply)
                    V2Codec.decode(replies.poll(10, TimeUnit.SECONDS)));
            var channel = SecureChannel.client(established, System.nanoTime());
            channel.offer("here for a moment".getBytes(StandardCharsets.UTF_8));
            for (byte[] record : channel.poll(System.nanoTime())) {
                socket.sendBinary(ByteBuffer.wrap(record), true).get(10, TimeUnit.SECONDS);
            }
            dora.awaitLine("* g2gone joined");
            dora.awaitLine("g2gone: here for a moment");
            socket.abort(); // the TCP connection just goes: no Close record, no WebSocket close frame
            dora.awaitLine("* g2gone left");
        }
    }
}
