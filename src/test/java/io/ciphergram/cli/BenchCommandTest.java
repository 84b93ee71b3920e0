package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import picocli.CommandLine;

/**
 * {@code ciphergram-cli bench} in-process against the service: short runs at a rate under the server's
 * default flood limit (4 clients sharing 8 messages/s), so nothing may be lost, and the JSON report's
 * shape. Every delivery is decrypted and matched by the generator, so delivered == expected means each
 * message reached each of the other three clients exactly once.
 */
@QuarkusTest
class BenchCommandTest {

    private static final List<String> STEP_FIELDS = List.of("step", "offeredRate", "achievedRate", "warmupSeconds",
            "durationSeconds", "sent", "expected", "delivered", "duplicates", "misrouted", "lossPercent",
            "deliveredPerSecond", "latencyMicros", "backpressured", "sendFailures", "maxSendLagMillis",
            "generatorSocketDrops", "serverSocketDrops", "senderCpuPercent", "receiverCpuPercent", "processCpuPercent",
            "generatorLimited", "window", "warnings");

    @Inject
    UdpTransport udp;

    @TestHTTPResource("/ws")
    URI gateway;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private JsonPath bench(String... args) {
        out.reset();
        err.reset();
        int exit = new CommandLine(new BenchCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("exit code; stderr:%n%s", stderr).isZero();
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(stdout.strip()).as("one JSON object on stdout").startsWith("{").endsWith("}").doesNotContain("\n");
        return JsonPath.from(stdout);
    }

    private static String[] lowRate(String... more) {
        List<String> args = new ArrayList<>(List.of("--clients", "4", "--rate", "8", "--duration", "2",
                "--warmup", "0.5", "--drain", "3", "--json"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** What every lossless step of 4 clients at 8/s for 2 s shows. */
    private static void assertLosslessStep(Map<String, Object> step) {
        assertThat(step.keySet()).containsAll(STEP_FIELDS);
        assertThat(((Number) step.get("sent")).longValue()).isEqualTo(16);
        assertThat(((Number) step.get("expected")).longValue()).isEqualTo(48);
        assertThat(((Number) step.get("delivered")).longValue()).isEqualTo(48);
        assertThat(((Number) step.get("duplicates")).longValue()).isZero();
        assertThat(((Number) step.get("misrouted")).longValue()).isZero();
        assertThat(((Number) step.get("lossPercent")).doubleValue()).isZero();
        assertThat(((Number) step.get("achievedRate")).doubleValue()).isEqualTo(8.0);
        assertThat(((Number) step.get("deliveredPerSecond")).doubleValue()).isEqualTo(24.0);
        assertThat(step.get("generatorLimited")).isEqualTo(false);
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) step.get("latencyMicros");
        assertThat(latency.keySet()).containsExactlyInAnyOrder("count", "p50", "p99", "p999", "max", "mean");
        assertThat(((Number) latency.get("count")).longValue()).isEqualTo(48);
        assertThat(((Number) latency.get("p50")).doubleValue()).isPositive()
                .isLessThanOrEqualTo(((Number) latency.get("p99")).doubleValue());
        assertThat(((Number) latency.get("max")).doubleValue()).isLessThan(3_000_000); // within the drain
    }

    @Test
    void classicClientsDeliverEveryMessageToEveryOtherClientOnceAndTheJsonSaysSo() {
        // the server runs in this JVM: its pid is this process's
        JsonPath report = bench(lowRate("--server", "127.0.0.1:" + udp.port(), "--profile", "classic", "--server-pid",
                Long.toString(ProcessHandle.current().pid())));
        assertThat(err.toString(StandardCharsets.UTF_8)).as("a progress line a second, on stderr")
                .contains("[step 1 @ 8/s] measure");
        assertThat(report.getDouble("result.window.wallSeconds")).as("the measured window alone").isBetween(1.9, 2.5);
        assertThat(report.getDouble("result.window.serverCpuPercent")).isGreaterThanOrEqualTo(0);
        assertThat(report.getDouble("result.window.generatorCpuMicrosPerDelivery")).isPositive();
        assertThat(report.getDouble("result.window.serverCpuMicrosPerDelivery")).isGreaterThanOrEqualTo(0);
        assertThat(report.getInt("result.window.cores")).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(report.getInt("version")).isEqualTo(1);
        assertThat(report.getString("profile")).isEqualTo("classic");
        assertThat(report.getString("transport")).isEqualTo("udp");
        assertThat(report.getString("baseline")).isEqualTo("none");
        assertThat(report.getString("run")).matches("[a-z0-9]{6}");
        assertThat(report.getInt("clients")).isEqualTo(4);
        assertThat(report.getMap("handshakes")).containsEntry("attempted", 4).containsEntry("completed", 4)
                .containsEntry("failed", 0).containsKeys("seconds", "perSecond");
        assertThat(report.getDouble("handshakes.perSecond")).isPositive();
        assertThat(report.getList("steps")).hasSize(1);
        assertLosslessStep(report.getMap("result"));
        assertThat(report.getMap("steps[0]")).isEqualTo(report.getMap("result"));
        assertThat(report.getString("capacity")).isNull();
        assertThat(report.getBoolean("generatorLimited")).isFalse();
        assertThat(report.getLong("undecryptable")).isZero();
        assertThat(report.getList("warnings")).isEmpty();
    }

    @Test
    void v2ClientsOverUdpAndOverTheWebSocketGatewayAcknowledgeAndReceiveEverything() {
        JsonPath report = bench(lowRate("--server", "127.0.0.1:" + udp.port(), "--profile", "v2", "--idle-sessions", "20"));
        assertThat(report.getString("profile")).isEqualTo("v2");
        assertThat(report.getString("serverFingerprint")).startsWith("SHA256:");
        assertThat(report.getInt("idleHandshakes.completed")).isEqualTo(20);
        assertLosslessStep(report.getMap("result"));
        assertThat(report.getLong("sessionsLost")).isZero();

        report = bench(lowRate("--server", "ws://127.0.0.1:" + gateway.getPort() + "/ws", "--profile", "v2"));
        assertThat(report.getString("transport")).isEqualTo("ws");
        assertLosslessStep(report.getMap("result"));
        assertThat(report.getDouble("result.window.serverCpuPercent")).as("no --server-pid").isEqualTo(-1.0);
    }

    @Test
    void thePlainBaselineRelaysInProcessWithoutHandshakesAndStillDecryptsEveryDelivery() {
        JsonPath report = bench(lowRate("--baseline", "plain"));
        assertThat(report.getString("baseline")).isEqualTo("plain");
        assertThat(report.getString("handshakes")).isNull();
        assertLosslessStep(report.getMap("result"));
    }

    @Test
    void findCapacityReportsEveryStepAndTheBestWithinTheLossBound() {
        JsonPath report = bench("--baseline", "plain", "--clients", "3", "--rate", "50", "--duration", "1.5", "--warmup",
                "0.2", "--drain", "1", "--find-capacity", "--step-factor", "2", "--max-steps", "2", "--json");
        assertThat(err.toString(StandardCharsets.UTF_8)).as("the progress line tells the time left")
                .containsPattern("\\[step 1 @ 50/s\\] .* at most \\d+ s left \\(1 of at most 2 steps\\)");
        assertThat(report.getList("steps")).hasSize(2);
        assertThat(report.getDouble("steps[1].offeredRate")).isEqualTo(100.0);
        assertThat(report.getString("stopReason")).isEqualTo("the last of 2 steps ran");
        assertThat(report.getDouble("capacity.deliveredPerSecond")).isEqualTo(report.getDouble("result.deliveredPerSecond"))
                .isPositive();
    }

    @Test
    void withSendersOnlyTheFirstClientsSendAndTheReceiversStillGetEveryMessage() {
        // --receive-server is meant for a second instance of a cluster; this one server stands in for both
        JsonPath report = bench(lowRate("--server", "127.0.0.1:" + udp.port(), "--senders", "2", "--receive-server",
                "127.0.0.1:" + udp.port()));
        assertThat(report.getInt("senders")).isEqualTo(2);
        assertThat(report.getString("receiveTarget")).isEqualTo("127.0.0.1:" + udp.port());
        assertLosslessStep(report.getMap("result"));
    }

    @Test
    void aRateOverTheServersFloodControlIsNamedAsTheCauseOfTheLoss() {
        // 2 clients at 100/s each against the default 10/s per session: most of it is flood control's
        JsonPath report = bench("--server", "127.0.0.1:" + udp.port(), "--profile", "v2", "--clients", "2", "--rate",
                "200", "--duration", "1", "--warmup", "0.5", "--drain", "1", "--json");
        assertThat(report.getDouble("result.lossPercent")).isPositive();
        assertThat(report.getList("warnings", String.class))
                .anyMatch(w -> w.contains("flood control accepts 10/s per session"))
                .anyMatch(w -> w.contains("the server's flood control dropped messages"));
        assertThat(report.getLong("floodControlNotices")).isPositive();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("[server] flood control: 10 messages/s per session")
                .contains("[FLOOD CONTROL]");
    }

    @Test
    void aServerThatNeverAnswersIsReportedWithTheTimeItReallyTook() throws Exception {
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            int exit = new CommandLine(new BenchCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)))
                    .execute("--server", "127.0.0.1:" + silent.getLocalPort(), "--profile", "v2", "--clients", "2",
                            "--timeout", "2");
            double took = (System.nanoTime() - start) / 1e9;

            assertThat(exit).isEqualTo(BenchCommand.SETUP_FAILED);
            assertThat(err.toString(StandardCharsets.UTF_8)).containsPattern("only 0 of 2 clients joined the room in 2\\.\\d s"
                    + " \\(--timeout 2 s");
            assertThat(took).as("it waited as long as --timeout said").isBetween(2.0, 5.0);
        }
    }

    @Test
    void badOptionsAreRefusedWithAReason() {
        int exit = new CommandLine(new BenchCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--server", "127.0.0.1:" + udp.port(), "--transport", "ws", "--profile", "classic");
        assertThat(exit).isEqualTo(BenchCommand.BAD_OPTIONS);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: the WebSocket gateway speaks v2 only");
        err.reset();
        exit = new CommandLine(new BenchCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--server", "127.0.0.1:" + udp.port(), "--clients", "3", "--senders", "3", "--receive-server",
                        "127.0.0.1:" + udp.port());
        assertThat(exit).isEqualTo(BenchCommand.BAD_OPTIONS);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: --receive-server needs clients that only receive");
        err.reset();
        exit = new CommandLine(new BenchCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute("--baseline", "plain", "--server-pid", "1");
        assertThat(exit).isEqualTo(BenchCommand.BAD_OPTIONS);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: --server-pid is for a server");
    }
}
