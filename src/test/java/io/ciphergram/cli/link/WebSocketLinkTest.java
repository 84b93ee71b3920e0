package io.ciphergram.cli.link;

import static io.ciphergram.testing.HandWrittenWebSocketServer.frame;
import static io.ciphergram.testing.HandWrittenWebSocketServer.readRequest;
import static io.ciphergram.testing.HandWrittenWebSocketServer.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The console client's and the bench's WebSocket link against a hostile server written here by hand
 * (RFC 6455 framing over a plain socket): a message in parts is joined, and one that never ends is refused
 * at 1,200 bytes instead of being buffered.
 */
class WebSocketLinkTest {

    private final List<byte[]> datagrams = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> closed = new AtomicReference<>();
    private final Link.Receiver receiver = new Link.Receiver() {
        @Override
        public void onDatagram(byte[] datagram) {
            datagrams.add(datagram);
        }

        @Override
        public void onClosed(String why) {
            closed.compareAndSet(null, why);
        }
    };
    private ServerSocket listening;

    @AfterEach
    void stop() throws IOException {
        listening.close();
    }

    @Test
    void aMessageInPartsIsOneDatagramAndOneThatNeverEndsIsClosedAt1200Bytes() throws Exception {
        listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> stopped = new AtomicReference<>();
        Thread hostile = new Thread(() -> {
            try (Socket client = listening.accept()) {
                upgrade(client);
                OutputStream out = client.getOutputStream();
                // 1,200 bytes in three parts: the largest datagram there is, joined whole.
                frame(out, false, 2, new byte[400]);
                frame(out, false, 0, new byte[400]);
                frame(out, true, 0, new byte[400]);
                // Then a binary message that never ends, 1,000 bytes a part, until the client stops it.
                frame(out, false, 2, new byte[1000]);
                while (true) {
                    frame(out, false, 0, new byte[1000]);
                    written.addAndGet(1000);
                }
            } catch (IOException e) {
                stopped.set(e); // the client closed the connection
            }
        }, "hostile-ws-server");
        hostile.setDaemon(true);
        hostile.start();

        try (WebSocketLink link = WebSocketLink.connect(HttpClient.newHttpClient(),
                URI.create("ws://127.0.0.1:" + listening.getLocalPort() + "/ws"), Duration.ofSeconds(5), receiver)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> closed.get() != null);
            assertThat(closed.get()).contains("over 1200 bytes");
            assertThat(datagrams).singleElement().satisfies(d -> assertThat(d).hasSize(1200));
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped.get() != null);
            // What the client took in before closing is bounded by the socket buffers, not the message.
            assertThat(written.get()).isLessThan(16L << 20);
            assertThat(link.send(new byte[] {1})).as("a closed link takes nothing").isFalse();
        }
    }

    @Test
    void aRefusedUpgradeSaysWhatAnsweredAndWhatToTry() throws Exception {
        listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread notFound = new Thread(() -> {
            try (Socket client = listening.accept()) {
                readRequest(client.getInputStream());
                client.getOutputStream().write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                client.getInputStream().read();
            } catch (IOException e) {
                // done
            }
        }, "not-found-server");
        notFound.setDaemon(true);
        notFound.start();

        URI wrong = URI.create("ws://127.0.0.1:" + listening.getLocalPort() + "/chat");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> WebSocketLink.connect(HttpClient.newHttpClient(), wrong, Duration.ofSeconds(5), receiver))
                .hasMessageContaining("answered HTTP 404").hasMessageContaining("/ws");
    }

    @Test
    void aClosedPortIsNamedWithTheNextStep() throws Exception {
        listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int port = listening.getLocalPort();
        listening.close();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebSocketLink.connect(HttpClient.newHttpClient(),
                URI.create("ws://127.0.0.1:" + port + "/ws"), Duration.ofSeconds(5), receiver))
                .hasMessageContaining("nothing accepts connections at 127.0.0.1:" + port)
                .hasMessageNotContaining("null");
    }
}
