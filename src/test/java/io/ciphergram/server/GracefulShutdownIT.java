package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.ProcessPeer;

/**
 * The packaged service, started as a user starts it and stopped as a container runtime stops it (SIGTERM):
 * a classic client and the v2 console client both hear that the server is shutting down, the console
 * client exits saying so with its own exit code, and the server is gone within its grace period and the
 * JVM's exit (timed from SIGTERM to the process's exit, not to the clients' lines).
 */
class GracefulShutdownIT {

    private static final Path SERVICE = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Path CLI = Path.of(System.getProperty("ciphergram.cli-jar", "target/ciphergram-cli.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** ciphergram.shutdown.grace, stated on the command line: the longest the last notices may take to leave. */
    private static final Duration GRACE = Duration.ofSeconds(2);
    /**
     * What the service may take after the grace: closing the WebSocket gateway, the sockets and the HTTP
     * servers, and the JVM's own exit. The notices normally leave at once and do not use the grace at all.
     * Measured on a 2-core machine at load average 10 to 21: SIGTERM to exit 465 to 627 ms in this test (three
     * runs, with its two clients; then timed to the later of the console client's and the service's exit),
     * 184 ms timed as now, to the service's own exit, and 312 and 454 ms for
     * {@code java -jar target/quarkus-app/quarkus-run.jar} alone stopped with {@code kill -TERM $pid; wait $pid}
     * (Quarkus: "stopped in 0.149s", "0.231s"). So everything after the grace takes well under a second
     * here, and the bound is the grace + 1 s.
     */
    private static final Duration JVM_EXIT = Duration.ofSeconds(1);

    @Test
    void onSigtermEveryClientIsToldAndTheServiceStopsWithinItsGrace() throws Exception {
        try (ProcessPeer server = new ProcessPeer(List.of(JAVA, "-Dciphergram.udp.port=0", "-Dciphergram.udp.host=127.0.0.1",
                "-Dquarkus.http.port=0", "-Dquarkus.management.port=0", "-Dciphergram.shutdown.grace=" + GRACE.toMillis() + "ms",
                "-Dciphergram.identity.path=target/it-shutdown/server_identity.pem",
                "-Dciphergram.data.dir=target/it-shutdown/data", "-jar", SERVICE.toString()))) {
            String listening = server.awaitLine(l -> l.contains("Ciphergram UDP listening on"));
            Matcher port = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(listening);
            assertThat(port.find()).isTrue();
            int udp = Integer.parseInt(port.group(1));
            try (ClassicPeer classic = ClassicPeer.join(udp, "sdclassic");
                    ProcessPeer console = new ProcessPeer(List.of(JAVA, "-jar", CLI.toString(), "client", "--server",
                            "127.0.0.1:" + udp, "--name", "sdconsole", "--no-reconnect", "--known-servers", "target/it-shutdown/known"))) {
                classic.awaitLine("* sdconsole joined");

                CompletableFuture<Long> exited = server.process().onExit().thenApply(p -> System.nanoTime());
                long stopped = System.nanoTime();
                server.process().destroy(); // SIGTERM

                classic.awaitLine("* server shutting down");
                console.awaitLine("* server shutting down");
                assertThat(console.awaitExit()).as("the console client's exit code").isEqualTo(3);
                assertThat(console.stderr()).contains("the server ended the session");
                long tookMs = TimeUnit.NANOSECONDS.toMillis(exited.get(10, TimeUnit.SECONDS) - stopped);
                assertThat(tookMs).as("SIGTERM to exit: the grace (%d ms) and at most %d ms for the JVM to exit",
                        GRACE.toMillis(), JVM_EXIT.toMillis()).isLessThan(GRACE.plus(JVM_EXIT).toMillis());
            }
        }
    }
}
