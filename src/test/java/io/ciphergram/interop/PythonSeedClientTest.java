package io.ciphergram.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.ProcessPeer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Clients of the original Python system (src/test/python/seed_client.py, pycryptodome) chat through the
 * service with each other and with the Java console client's connection. Needs Debian's python3 and
 * python3-pycryptodome, which .ci/run installs; missing, the test fails rather than skips.
 */
@QuarkusTest
class PythonSeedClientTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path CLIENT = Path.of("src/test/python/seed_client.py");

    @Inject
    UdpTransport udp;

    @BeforeAll
    static void pythonWithPycryptodome() throws Exception {
        assertTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is missing: install Debian's python3");
        Process probe = new ProcessBuilder(PYTHON, "-c", "import Cryptodome").redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        probe.getInputStream().transferTo(out);
        assertTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "python3-pycryptodome is missing (apt-get install python3-pycryptodome): " + out);
    }

    private ProcessPeer seedClient(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON, CLIENT.toString(),
                "--port", Integer.toString(udp.port())));
        command.addAll(List.of(args));
        ProcessPeer peer = new ProcessPeer(command);
        peer.awaitStderr("ready"::equals);
        return peer;
    }

    @Test
    void seedClientsOfBothVariantsChatWithEachOtherAndWithOurClient() throws Exception {
        try (ClassicPeer java = ClassicPeer.join(udp.port(), "py-java");
                ProcessPeer seed = seedClient("--name", "py-seed");
                ProcessPeer variant = seedClient("--name", "py-variant", "--no-handshake")) {
            seed.awaitLine(ClassicPeer.welcome("py-seed"));
            String welcome = variant.awaitLine(l -> l.startsWith("* connected as guest-"));
            String guest = welcome.substring("* connected as ".length(), welcome.indexOf(';'));

            // Each joins the room with its first message, which proves it receives at its address.
            seed.say("hello from the seed client");
            java.awaitLine("* py-seed joined");
            java.awaitLine("py-seed: hello from the seed client");

            variant.say("hi from the no-handshake client");
            java.awaitLine("* " + guest + " joined");
            java.awaitLine(guest + ": py-variant: hi from the no-handshake client");
            seed.awaitLine(guest + ": py-variant: hi from the no-handshake client");

            java.say("ünïcödé from java ✓");
            seed.awaitLine("py-java: ünïcödé from java ✓");
            variant.awaitLine("py-java: ünïcödé from java ✓");

            seed.say("/who");
            seed.awaitLine(l -> l.startsWith("* online") && l.contains("py-java") && l.contains("py-seed")
                    && l.contains("guest-"));
            seed.say("/msg py-java just us");
            java.awaitLine("py-seed (private): just us");

            assertThat(seed.stderr()).doesNotContain("undecryptable datagram");
            assertThat(variant.stderr()).doesNotContain("undecryptable datagram");
        }
    }
}
