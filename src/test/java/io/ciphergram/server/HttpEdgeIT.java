package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jdk.net.ExtendedSocketOptions;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ServiceProcess;
import io.ciphergram.testing.V2Peer;

/**
 * The packaged service with 1,024 file descriptors (prlimit), against floods of half-open requests: a
 * request line and one header, then nothing, on as many connections as the flooder can open. What others
 * need must keep answering: the page, a v2 session through {@code /ws}, and the management port's liveness;
 * and the half-open connections must be closed within seconds.
 * <p>
 * The flood is sent as fast as the service accepts it, never faster: what the service promises holds for the
 * connections it has accepted. A burst larger than the kernel's accept queue ({@code net.core.somaxconn}) is
 * held by the kernel, whose retransmissions hand it over up to tens of seconds later, each then with a fresh
 * header timeout (seen in CI, where a connection was still open 30 s after the flood).
 * <p>
 * Each flood connection keeps TCP keepalive on ({@link #keepAlive}): in another CI run one connection stayed
 * open on the client 30 s after the flood while the service held none (its gauge read 1, the metrics request
 * itself).
 */
class HttpEdgeIT {

    private static final List<String> FEW_DESCRIPTORS = List.of("prlimit", "--nofile=1024:1024");
    /** ciphergram.http.header-timeout, and the time it may take to notice. */
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);

    private final List<Socket> flood = new ArrayList<>();
    private ServiceProcess service;

    @AfterEach
    void close() throws Exception {
        for (Socket s : flood) {
            s.close();
        }
        if (service != null) {
            service.close();
        }
    }

    private void start(String name) throws Exception {
        Path work = Path.of("target/it-http-edge", name);
        Files.createDirectories(work);
        service = ServiceProcess.launch(FEW_DESCRIPTORS, List.of(),
                Map.of("ciphergram.identity.path", work.resolve("server_identity.pem").toString()), Map.of()).awaitStarted();
    }

    @Test
    void halfOpenUpgradesFromOneAddressLeaveThePageTheGatewayAndLivenessAnswering() throws Exception {
        start("one-address");
        long started = System.nanoTime();
        int opened = openHalfOpen("127.0.0.2", 2_000);

        assertThat(status(service.httpUrl("/"))).as("the page during the flood").isEqualTo(200);
        assertThat(status(service.managementUrl("/q/health/live"))).as("liveness during the flood").isEqualTo(200);
        try (V2Peer user = V2Peer.join(URI.create("ws://127.0.0.1:" + service.httpPort() + "/ws"), "edge1",
                Path.of("target/it-http-edge/one-address/known_servers"))) {
            user.awaitLine(l -> l.startsWith("* you are edge1"));
        }
        long closedAfter = awaitAllClosed();
        System.out.printf("half-open flood from one address: %d connections opened, all closed by the server %.1f s"
                + " after the flood began; %.0f refused on arrival (per address), %.0f closed for their headers%n", opened,
                (closedAfter - started) / 1e9, service.metric("ciphergram_http_connections_refused_total{reason=\"per_address\"}"),
                service.metric("ciphergram_http_header_timeouts_total"));
        assertThat(Duration.ofNanos(closedAfter - started)).isLessThan(HEADER_TIMEOUT.plusSeconds(10));
    }

    @Test
    void halfOpenRequestsFromManyAddressesAreClosedWithinSecondsAndLivenessNeverStops() throws Exception {
        start("many-addresses");
        long started = System.nanoTime();
        int opened = 0;
        for (int a = 3; a < 13; a++) {
            opened += openHalfOpen("127.0.0." + a, 120);
        }
        assertThat(status(service.managementUrl("/q/health/live"))).as("liveness during the flood").isEqualTo(200);
        long closedAfter = awaitAllClosed();
        assertThat(status(service.httpUrl("/"))).as("the page once the flood is closed").isEqualTo(200);
        System.out.printf("half-open flood from 10 addresses: %d connections opened, all closed %.1f s after the flood"
                + " began; %.0f refused on arrival (port full)%n", opened, (closedAfter - started) / 1e9,
                service.metric("ciphergram_http_connections_refused_total{reason=\"total\"}"));
        assertThat(Duration.ofNanos(closedAfter - started)).isLessThan(HEADER_TIMEOUT.plusSeconds(10));
    }

    /** Connections opened before the test waits for the service to accept them: well below any accept queue. */
    private static final int BURST = 8;

    /** Opens {@code count} connections from {@code from}, each sending a request line and one header; returns how many connected. */
    private int openHalfOpen(String from, int count) throws IOException {
        byte[] half = ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + service.httpPort() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int opened = 0;
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            flood.add(socket);
            try {
                keepAlive(socket);
                socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
                socket.connect(new InetSocketAddress("127.0.0.1", service.httpPort()), 2_000);
                socket.getOutputStream().write(half);
                opened++;
            } catch (IOException e) {
                // refused or reset at once: closed, as it should be
            }
            if (i % BURST == BURST - 1) {
                paceToTheAcceptQueue();
            }
        }
        return opened;
    }

    /**
     * Probes the server's side of {@code socket} after 2 s of silence, then every second, as TCP keepalive does:
     * a connection the server's kernel no longer has is answered with a reset, one it has (held by the service,
     * or still in its accept queue) with an acknowledgement. Without it a closed connection whose last segment,
     * the reset that refused it, went astray would look open to this client forever, since it has nothing left
     * to send; with it, what {@link #awaitAllClosed} waits for is the server's state, not the client's memory,
     * and a service that keeps its connections still fails the test (checked with a two-minute header timeout).
     */
    private static void keepAlive(Socket socket) throws IOException {
        socket.setKeepAlive(true);
        socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 2);
        socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
        socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
    }

    /**
     * Lets the service accept what the kernel queued before more is sent, for up to 10 s. It is pacing, not a
     * check: a service that stalls is caught by the bounds the tests assert once the flood is over, which count
     * from its first connection.
     */
    private void paceToTheAcceptQueue() {
        try {
            Awaitility.await("the service accepts what it was sent").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5)).until(() -> acceptQueue(service.httpPort()) == 0);
        } catch (ConditionTimeoutException stalled) {
            // the bounds asserted after the flood decide
        }
    }

    /**
     * Connections the kernel has completed on {@code port} that the service has not yet accepted: a listening
     * socket's receive queue in {@code /proc/net/tcp} and {@code tcp6} is its accept queue.
     */
    static int acceptQueue(int port) throws IOException {
        int queued = 0;
        for (String[] fields : tcpRows()) {
            String local = fields[1];
            boolean listening = fields[3].equals("0A");
            if (listening && Integer.parseInt(local.substring(local.indexOf(':') + 1), 16) == port) {
                queued += Integer.parseInt(fields[4].substring(fields[4].indexOf(':') + 1), 16);
            }
        }
        return queued;
    }

    /** The sockets of {@code /proc/net/tcp} and {@code tcp6}, split: sl, local, remote, state, tx:rx, ... */
    private static List<String[]> tcpRows() throws IOException {
        List<String[]> sockets = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (Files.exists(path)) {
                List<String> rows = Files.readAllLines(path);
                rows.subList(1, rows.size()).forEach(row -> sockets.add(row.trim().split("\\s+")));
            }
        }
        return sockets;
    }

    /** Waits until the server has closed every flood connection (each read ends), and returns when that was. */
    private long awaitAllClosed() throws IOException {
        long deadline = System.nanoTime() + HEADER_TIMEOUT.plusSeconds(20).toNanos();
        for (Socket socket : flood) {
            if (socket.isClosed() || !socket.isConnected()) {
                continue;
            }
            InputStream in = socket.getInputStream();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("a half-open connection is still open " + HEADER_TIMEOUT.plusSeconds(20)
                            + " after the flood: " + diagnose(socket));
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                try {
                    if (in.read() < 0) {
                        break;
                    }
                } catch (SocketTimeoutException e) {
                    // checked against the deadline above
                } catch (IOException e) {
                    break; // reset: closed
                }
            }
        }
        return System.nanoTime();
    }

    /**
     * What the kernel and the service say of a connection still open: both sides' TCP states for it (01
     * established, 03 SYN_RECV: never accepted; no row: no socket), the listening socket's accept queue, the
     * kernel's counts of handshakes it dropped, and the guard's counts.
     */
    private String diagnose(Socket socket) {
        try {
            return diagnosis(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private String diagnosis(Socket socket) throws InterruptedException {
        StringBuilder what = new StringBuilder("client " + socket.getLocalSocketAddress());
        try {
            List<String> server = procAddresses(new InetSocketAddress(socket.getInetAddress(), service.httpPort()));
            List<String> client = procAddresses((InetSocketAddress) socket.getLocalSocketAddress());
            for (String[] fields : tcpRows()) {
                String side = server.contains(fields[1]) && client.contains(fields[2]) ? "server"
                        : client.contains(fields[1]) && server.contains(fields[2]) ? "client" : null;
                if (side != null) {
                    what.append("; ").append(side).append(" side state ").append(fields[3]).append(" queues ").append(fields[4]);
                }
            }
            what.append("; accept queue ").append(acceptQueue(service.httpPort()));
            what.append("; kernel ").append(listenCounters());
            what.append("; open ").append(service.metric("ciphergram_http_connections"));
            what.append(", header timeouts ").append(service.metric("ciphergram_http_header_timeouts_total"));
            what.append(", refused per address ").append(
                    service.metric("ciphergram_http_connections_refused_total{reason=\"per_address\"}"));
        } catch (IOException | RuntimeException e) {
            what.append("; (diagnosis failed: ").append(e).append(')');
        }
        return what.toString();
    }

    /**
     * An IPv4 address and port as {@code /proc/net/tcp} writes them (the address's bytes reversed, in hex) and as
     * {@code tcp6} does for a dual-stack listener's connections (the IPv4-mapped address, word by word).
     */
    private static List<String> procAddresses(InetSocketAddress address) {
        int reversed = Integer.reverseBytes(ByteBuffer.wrap(address.getAddress().getAddress()).getInt());
        return List.of(String.format("%08X:%04X", reversed, address.getPort()),
                String.format("0000000000000000FFFF0000%08X:%04X", reversed, address.getPort()));
    }

    /** The kernel's counts of handshakes a full accept queue dropped ({@code /proc/net/netstat}). */
    private static String listenCounters() throws IOException {
        List<String> rows = Files.readAllLines(Path.of("/proc/net/netstat"));
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            if (rows.get(i).startsWith("TcpExt:")) {
                List<String> names = List.of(rows.get(i).split("\\s+"));
                String[] values = rows.get(i + 1).split("\\s+");
                StringBuilder counts = new StringBuilder();
                for (String name : List.of("ListenOverflows", "ListenDrops", "SyncookiesSent")) {
                    counts.append(counts.length() == 0 ? "" : " ").append(name).append(' ').append(values[names.indexOf(name)]);
                }
                return counts.toString();
            }
        }
        return "no TcpExt";
    }

    private static int status(String url) throws Exception {
        try {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
