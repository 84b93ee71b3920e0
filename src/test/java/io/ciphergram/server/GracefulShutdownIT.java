package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.ProcessPeer;

/**
 * The packaged service, started as a user starts it and stopped as a container runtime stops it (SIGTERM):
 * a classic client and the v2 console client both hear that the server is shutting down, the console
 * client exits saying so with its own exit code, and the server is gone within its grace period.
 */
class GracefulShutdownIT {

    private static final Path SERVICE = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Path CLI = Path.of(System.getProperty("ciphergram.cli-jar", "target/ciphergram-cli.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void onSigtermEveryClientIsToldAndTheServiceStopsWithinItsGrace() throws Exception {
        try (ProcessPeer server = new ProcessPeer(List.of(JAVA, "-Dciphergram.udp.port=0", "-Dciphergram.udp.host=127.0.0.1",
                "-Dquarkus.http.port=0", "-Dquarkus.management.port=0",
                "-Dciphergram.identity.path=target/it-shutdown/server_identity.pem", "-jar", SERVICE.toString()))) {
            String listening = server.awaitLine(l -> l.contains("Ciphergram UDP listening on"));
            Matcher port = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(listening);
            assertThat(port.find()).isTrue();
            int udp = Integer.parseInt(port.group(1));
            try (ClassicPeer classic = ClassicPeer.join(udp, "sdclassic");
                    ProcessPeer console = new ProcessPeer(List.of(JAVA, "-jar", CLI.toString(), "client", "--server",
                            "127.0.0.1:" + udp, "--name", "sdconsole", "--known-servers", "target/it-shutdown/known"))) {
                classic.awaitLine("* sdconsole joined");

                long stopped = System.nanoTime();
                server.process().destroy(); // SIGTERM

                classic.awaitLine("* server shutting down");
                console.awaitLine("* server shutting down");
                assertThat(console.awaitExit()).as("the console client's exit code").isEqualTo(3);
                assertThat(console.stderr()).contains("the server ended the session");
                assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).as("the service stopped").isTrue();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped)).as("within the grace")
                        .isLessThan(8_000);
            }
        }
    }
}
