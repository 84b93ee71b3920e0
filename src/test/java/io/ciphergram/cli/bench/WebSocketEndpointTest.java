package io.ciphergram.cli.bench;

import static io.ciphergram.testing.HandWrittenWebSocketServer.frame;
import static io.ciphergram.testing.HandWrittenWebSocketServer.readFrame;
import static io.ciphergram.testing.HandWrittenWebSocketServer.readRequest;
import static io.ciphergram.testing.HandWrittenWebSocketServer.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ciphergram.testing.HandWrittenWebSocketServer.ClientFrame;

/**
 * The load generator's own WebSocket client against a server written out by hand: what it sends is one
 * masked binary frame per datagram, in order, also when the socket falls behind; a message in parts is one
 * datagram; pings are answered; a message over the largest datagram, a masked frame or a close ends it with
 * the right close code; a refused upgrade says what answered.
 */
class WebSocketEndpointTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final BenchClient recorder = new BenchClient(0, "recorder", false, null, null) {
        @Override
        void begin(long nowNanos, long deadlineNanos) {
        }

        @Override
        void onDatagram(byte[] datagram, long nowNanos) {
            received.add(datagram);
        }

        @Override
        void tick(long nowNanos) {
        }

        @Override
        boolean ready() {
            return true;
        }

        @Override
        SendOutcome send(byte[] text, long nowNanos) {
            return SendOutcome.SENT;
        }

        @Override
        void leave(long nowNanos) {
        }

        @Override
        void stop() {
        }
    };
    private final ServerSocket listening;
    private final List<AutoCloseable> open = new ArrayList<>();

    WebSocketEndpointTest() throws IOException {
        listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(listening);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private URI gateway() {
        return URI.create("ws://127.0.0.1:" + listening.getLocalPort() + "/ws");
    }

    /** Connects and registers with a started lane, as the load generator does. */
    private WebSocketEndpoint connect() throws IOException {
        WebSocketEndpoint endpoint = WebSocketEndpoint.connect(gateway(), null, TIMEOUT, new SecureRandom());
        open.add(endpoint);
        DatagramLanes lanes = new DatagramLanes(1, new PrintStream(new ByteArrayOutputStream()));
        lanes.register(0, endpoint, recorder);
        lanes.start();
        open.add(0, lanes);
        return endpoint;
    }

    /** A server thread that upgrades the first connection and then runs {@code script} on it. */
    private interface Script {
        void run(Socket client, DataInputStream in, OutputStream out) throws IOException;
    }

    private CountDownLatch serve(Script script, List<Throwable> failures) {
        CountDownLatch done = new CountDownLatch(1);
        Thread server = new Thread(() -> {
            try (Socket client = listening.accept()) {
                upgrade(client);
                script.run(client, new DataInputStream(client.getInputStream()), client.getOutputStream());
            } catch (IOException | RuntimeException | AssertionError e) {
                failures.add(e);
            } finally {
                done.countDown();
            }
        }, "hand-written-ws-server");
        server.setDaemon(true);
        server.start();
        return done;
    }

    private static byte[] datagram(int number, int size) {
        byte[] d = new byte[size];
        ByteBuffer.wrap(d).putInt(number);
        for (int i = 4; i < size; i++) {
            d[i] = (byte) (number * 31 + i);
        }
        return d;
    }

    @Test
    void eachDatagramIsOneMaskedBinaryFrameInOrderAlsoWhileTheSocketIsBehind() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<ClientFrame> frames = new CopyOnWriteArrayList<>();
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch done = serve((client, in, out) -> {
            awaitQuietly(reading); // not reading: the client's socket fills, then what it holds waits
            while (true) {
                ClientFrame f = readFrame(in);
                if (f.opcode() == 0x8) {
                    return;
                }
                frames.add(f);
            }
        }, failures);
        WebSocketEndpoint endpoint = connect();
        List<Integer> accepted = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 20_000 && refused == 0; i++) {
            if (endpoint.send(datagram(i, 1000))) {
                accepted.add(i);
            } else {
                refused++;
            }
        }
        assertThat(refused).as("a connection that is not read refuses more, as a full socket buffer would").isOne();
        // the kernel's buffers and the endpoint's own MiB are full
        assertThat(accepted.size()).isGreaterThan(WebSocketEndpoint.MAX_PENDING / 1000);
        reading.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> frames.size() == accepted.size());
        endpoint.close();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).isEmpty();
        for (int i = 0; i < frames.size(); i++) {
            ClientFrame f = frames.get(i);
            assertThat(f.fin() && f.opcode() == 0x2 && f.masked()).as("frame %d: FIN, binary, masked", i).isTrue();
            assertThat(f.payload()).as("frame %d", i).isEqualTo(datagram(accepted.get(i), 1000));
        }
    }

    @Test
    void aMessageInPartsIsOneDatagramAPingBetweenItsPartsIsAnsweredAndOneOverTheLargestEndsWith1009() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<ClientFrame> answers = new CopyOnWriteArrayList<>();
        CountDownLatch done = serve((client, in, out) -> {
            frame(out, false, 0x2, new byte[400]);
            frame(out, true, 0x9, "are you there".getBytes(StandardCharsets.US_ASCII));
            frame(out, false, 0x0, new byte[400]);
            frame(out, true, 0x0, new byte[400]);
            frame(out, true, 0x1, "text is skipped".getBytes(StandardCharsets.US_ASCII));
            frame(out, true, 0x2, new byte[] {7});
            answers.add(readFrame(in)); // the pong
            frame(out, false, 0x2, new byte[1000]);
            frame(out, true, 0x0, new byte[201]); // 1,201 bytes in all
            answers.add(readFrame(in)); // the close
        }, failures);
        WebSocketEndpoint endpoint = connect();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).isEmpty();
        await().atMost(TIMEOUT).until(() -> endpoint.closedWhy() != null);

        assertThat(received).hasSize(2);
        assertThat(received.get(0)).hasSize(1200).containsOnly(0);
        assertThat(received.get(1)).containsExactly(7);
        assertThat(answers.get(0).opcode()).isEqualTo(0xA);
        assertThat(answers.get(0).masked()).isTrue();
        assertThat(new String(answers.get(0).payload(), StandardCharsets.US_ASCII)).isEqualTo("are you there");
        assertThat(answers.get(1).opcode()).isEqualTo(0x8);
        assertThat(ByteBuffer.wrap(answers.get(1).payload()).getShort() & 0xFFFF).isEqualTo(1009);
        assertThat(endpoint.closedWhy()).contains("over 1200 bytes").contains("(1009)");
        assertThat(endpoint.send(new byte[] {1})).as("a closed endpoint takes nothing").isFalse();
    }

    @Test
    void aMaskedFrameFromTheServerEndsTheConnectionWith1002() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<ClientFrame> answers = new CopyOnWriteArrayList<>();
        CountDownLatch done = serve((client, in, out) -> {
            out.write(new byte[] {(byte) 0x82, (byte) 0x81, 1, 2, 3, 4, 5}); // masked, as only a client may
            out.flush();
            answers.add(readFrame(in));
        }, failures);
        WebSocketEndpoint endpoint = connect();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).isEmpty();
        assertThat(ByteBuffer.wrap(answers.get(0).payload()).getShort() & 0xFFFF).isEqualTo(1002);
        await().atMost(TIMEOUT).until(() -> endpoint.closedWhy() != null);
        assertThat(received).isEmpty();
    }

    @Test
    void theServersCloseIsAnsweredWithItsCodeAndEndsTheLink() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<ClientFrame> answers = new CopyOnWriteArrayList<>();
        CountDownLatch done = serve((client, in, out) -> {
            byte[] reason = "going away".getBytes(StandardCharsets.UTF_8);
            frame(out, true, 0x8, ByteBuffer.allocate(2 + reason.length).putShort((short) 1001).put(reason).array());
            answers.add(readFrame(in));
        }, failures);
        WebSocketEndpoint endpoint = connect();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).isEmpty();
        assertThat(answers.get(0).opcode()).isEqualTo(0x8);
        assertThat(ByteBuffer.wrap(answers.get(0).payload()).getShort() & 0xFFFF).isEqualTo(1001);
        await().atMost(TIMEOUT).until(() -> endpoint.closedWhy() != null);
        assertThat(endpoint.closedWhy()).isEqualTo("the server closed the WebSocket (1001 going away)");
    }

    @Test
    void aRefusedUpgradeSaysWhatAnsweredAndWhatToTry() throws Exception {
        Thread notFound = new Thread(() -> {
            try (Socket client = listening.accept()) {
                readRequest(client.getInputStream());
                client.getOutputStream().write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.getInputStream().read();
            } catch (IOException e) {
                // done
            }
        });
        notFound.setDaemon(true);
        notFound.start();
        URI wrong = URI.create("ws://127.0.0.1:" + listening.getLocalPort() + "/chat");
        assertThatThrownBy(() -> WebSocketEndpoint.connect(wrong, null, TIMEOUT, new SecureRandom()))
                .hasMessageContaining("answered HTTP 404").hasMessageContaining("/chat").hasMessageContaining("/ws");
    }

    @Test
    void a101WithoutTheAcceptValueOfItsKeyIsNotAWebSocket() throws Exception {
        Thread liar = new Thread(() -> {
            try (Socket client = listening.accept()) {
                readRequest(client.getInputStream());
                client.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + WebSocketEndpoint.acceptFor("another key")
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                client.getInputStream().read();
            } catch (IOException e) {
                // done
            }
        });
        liar.setDaemon(true);
        liar.start();
        assertThatThrownBy(() -> WebSocketEndpoint.connect(gateway(), null, TIMEOUT, new SecureRandom()))
                .hasMessageContaining("without the accept value of our key");
    }

    @Test
    void theAcceptValueIsRfc6455sExample() {
        // RFC 6455 section 1.3
        assertThat(WebSocketEndpoint.acceptFor("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
