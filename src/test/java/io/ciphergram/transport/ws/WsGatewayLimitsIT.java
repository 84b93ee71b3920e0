package io.ciphergram.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.testing.RawV2Peer;
import io.ciphergram.testing.RawWebSocket;
import io.ciphergram.testing.ServiceProcess;
import io.ciphergram.testing.V2Peer;

/**
 * The packaged service, on a small heap of its own, against WebSocket clients that abuse the gateway: ones
 * that never read what they are sent (but acknowledge it, so the relay keeps sending), and one connection
 * that floods tiny frames. Each test prints what it measured, so a run before and after a change can be
 * compared.
 */
class WsGatewayLimitsIT {

    private static final List<String> SMALL_HEAP = List.of("-Xmx256m");
    private static final int ATTACKERS = 40;
    private static final int LINES = 200;
    /** A line this long is relayed as "spk: " and the text: 57 fragments of 1,136 bytes. */
    private static final String LONG_LINE = "x".repeat(64_000);
    /** What the gateway may hold for one connection (ciphergram.ws.pending-per-connection). */
    private static final long PER_CONNECTION = 256 * 1024;
    private static final int PINGS = 150;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.out.println("closing " + open.get(i) + ": " + e); // the service, opened first, is still closed
            }
        }
    }

    private ServiceProcess start(String name) throws Exception {
        return start(name, Map.of());
    }

    private ServiceProcess start(String name, Map<String, String> properties) throws Exception {
        Path work = Path.of("target/it-ws-limits", name);
        Files.createDirectories(work);
        Map<String, String> all = new java.util.HashMap<>(properties);
        all.put("ciphergram.identity.path", work.resolve("server_identity.pem").toString());
        ServiceProcess service = ServiceProcess.launch(List.of(), SMALL_HEAP, all, Map.of()).awaitStarted();
        open.add(service);
        return service;
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @Test
    void connectionsThatNeverReadAreGivenUpAndTheHeapStaysBounded() throws Exception {
        neverReadingClients(start("unread"), "unread", ATTACKERS * PER_CONNECTION + 2 * PER_CONNECTION);
    }

    /** With room for a few connections' worth in all, the largest stalled holders are given up before any reaches its own bound. */
    @Test
    void overTheTotalTheLargestStalledHoldersAreGivenUp() throws Exception {
        long total = 4 * PER_CONNECTION;
        neverReadingClients(start("unread-total", Map.of("ciphergram.ws.pending-per-connection", Long.toString(total),
                "ciphergram.ws.pending-total", Long.toString(total))), "unread-total", total + V2Constants.MAX_DATAGRAM);
    }

    /**
     * 40 clients of one source that read until the room is quiet, then never again, but acknowledge every line
     * as if they had: the reader must get every line, liveness must answer, the gateway must hold at most
     * {@code bound}, and some of the 40 must be given up.
     */
    private void neverReadingClients(ServiceProcess service, String name, long bound) throws Exception {
        URI gateway = URI.create("ws://127.0.0.1:" + service.httpPort() + "/ws");
        Path known = Path.of("target/it-ws-limits", name, "known_servers");
        V2Peer speaker = closing(V2Peer.join(gateway, "spk", known));
        V2Peer reader = closing(V2Peer.join(gateway, "rdr", known));
        speaker.awaitLine(l -> l.startsWith("* you are spk"));
        reader.awaitLine(l -> l.startsWith("* you are rdr"));

        // One source, 40 sessions with tiny TCP windows: each reads until the room is quiet, then never again.
        List<RawV2Peer> attackers = new ArrayList<>();
        for (int i = 0; i < ATTACKERS; i++) {
            RawWebSocket socket = closing(RawWebSocket.open(service.httpPort(),
                    new RawWebSocket.Options().from("127.0.0.2").receiveBuffer(4096)));
            attackers.add(RawV2Peer.join(socket, "atk" + i));
        }
        for (int i = 0; i < ATTACKERS; i++) {
            reader.awaitLine("* atk" + i + " joined");
        }
        speaker.say("ready");
        for (RawV2Peer attacker : attackers) {
            assertThat(attacker.awaitText("spk: ready")).isTrue();
        }
        reader.awaitLine("spk: ready");

        long rssBefore = residentKiB(service);
        double maxPending = 0;
        double maxHeap = 0;
        long maxRss = rssBefore;
        int livenessFailures = 0;
        int delivered = 0;
        int fragments = RawV2Peer.fragments("spk: " + LONG_LINE);
        long started = System.nanoTime();
        while (delivered < LINES) {
            speaker.say(LONG_LINE);
            // Once the reader has the line, the relay has handed every attacker its copy in the same turn: each
            // acknowledges all of it, unread, so the relay sends it the next one as fast as to a real reader.
            try {
                reader.awaitLine("spk: " + LONG_LINE);
            } catch (ConditionTimeoutException e) {
                break;
            }
            delivered++;
            for (RawV2Peer attacker : attackers) {
                try {
                    attacker.acknowledgeUnread(fragments);
                } catch (IOException e) {
                    // given up: the server closed it
                }
            }
            if (delivered % 5 == 0) {
                maxPending = Math.max(maxPending, quietly(() -> service.metric("ciphergram_ws_pending_bytes")));
                maxHeap = Math.max(maxHeap, quietly(() -> service.metricSum("jvm_memory_used_bytes{area=\"heap\"")));
                maxRss = Math.max(maxRss, residentKiB(service));
                livenessFailures += live(service) ? 0 : 1;
            }
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        double givenUp = quietly(() -> service.metric("ciphergram_ws_given_up_total"));
        System.out.printf(name + ": %d of %d lines of %d bytes reached the reader, %d others not reading,"
                + " in %d s: gateway pending at most %.0f bytes, heap at most %.1f MiB, resident %d -> at most %d MiB,"
                + " %d liveness failures, %.0f connections given up%n", delivered, LINES, LONG_LINE.length(), ATTACKERS,
                seconds, maxPending, maxHeap / (1 << 20), rssBefore / 1024, maxRss / 1024, livenessFailures, givenUp);
        service.log().stream().filter(l -> l.contains("OutOfMemoryError") || l.contains("ERROR")).limit(5)
                .forEach(l -> System.out.println("service: " + l));

        assertThat(delivered).as("lines the reader received").isEqualTo(LINES);
        assertThat(livenessFailures).as("liveness failures").isZero();
        assertThat(maxPending).as("bytes the gateway held at most").isLessThanOrEqualTo(bound);
        assertThat(givenUp).as("connections given up for not reading").isNotNaN().isPositive();
    }

    @Test
    void aFloodOfTinyFramesOnOneConnectionCostsNoOneElseAPing() throws Exception {
        ServiceProcess service = start("flood");
        RawV2Peer user = RawV2Peer.join(closing(RawWebSocket.open(service.httpPort())), "usr");
        while (user.receive(1_000) != null) {
            // the welcome, and the answer to the Ping that joined
        }
        // Another address, no session: as many 3-byte v2-looking frames as TCP carries.
        RawWebSocket flooder = closing(RawWebSocket.open(service.httpPort(), new RawWebSocket.Options().from("127.0.0.2")));
        byte[] frames = tinyFrames(8192);
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        Thread flood = new Thread(() -> {
            try {
                while (flooding.get()) {
                    flooder.sendRaw(frames);
                    sent.addAndGet(8192);
                }
            } catch (IOException e) {
                // closed at the end
            }
        }, "flooder");
        flood.setDaemon(true);
        double overloadedBefore = service.metric("ciphergram_datagrams_dropped_total{reason=\"overloaded\"}");
        flood.start();
        Thread.sleep(1_000);

        int answered = 0;
        long started = System.nanoTime();
        for (int i = 0; i < PINGS; i++) {
            user.ping();
            answered += user.receive(2_000) != null ? 1 : 0;
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        flooding.set(false);
        flooder.close();
        double overloaded = service.metric("ciphergram_datagrams_dropped_total{reason=\"overloaded\"}") - overloadedBefore;
        double paused = service.metric("ciphergram_ws_paused_total");
        System.out.printf("tiny-frame flood: %d frames written in %d ms of pings; %d of %d pings answered, %.0f datagrams"
                + " dropped as overloaded, the flooder paused %.0f times and %.0f of its frames dropped (flooded),"
                + " %.0f datagrams received in all%n", sent.get(), millis, answered, PINGS, overloaded, paused,
                service.metric("ciphergram_datagrams_dropped_total{reason=\"flooded\"}"),
                service.metric("ciphergram_datagrams_received_total"));

        assertThat(answered).as("pings answered").isEqualTo(PINGS);
        assertThat(overloaded).as("datagrams shed as overloaded").isZero();
        assertThat(paused).as("times the flooding connection was paused").isNotNaN().isPositive();
    }

    /** {@code count} masked binary frames of {@code FF 02 00}: v2 by their first bytes, so the gateway passes them on. */
    private static byte[] tinyFrames(int count) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            all.writeBytes(RawWebSocket.binaryFrame(new byte[] {(byte) 0xFF, 0x02, 0x00}));
        }
        return all.toByteArray();
    }

    private interface Reading {
        double read() throws Exception;
    }

    /** A metric, or NaN when the service does not answer within 10 s (counted by the liveness checks instead). */
    private static double quietly(Reading metric) {
        try {
            return metric.read();
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static boolean live(ServiceProcess service) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.managementUrl("/q/health/live")))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The service's resident set (VmRSS), in KiB. */
    private static long residentKiB(ServiceProcess service) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + service.process().pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
