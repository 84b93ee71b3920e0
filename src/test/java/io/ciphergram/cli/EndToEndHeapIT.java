package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.ConsoleClient;
import io.ciphergram.testing.Scratch;
import io.ciphergram.testing.ServiceProcess;

/**
 * The relay never holds the text of an end-to-end message (docs/PROTOCOL.md, "End-to-end messages"): two
 * console clients with identities exchange one through the packaged server, and a dump of the server's
 * whole heap, unreachable objects included, holds no trace of it; a private message the relay can read,
 * sent in the same run, is found in the same dump, so the search would see a text that had been there.
 */
class EndToEndHeapIT {

    private static final String JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();

    /** Whether {@code text} occurs in the file, as Latin-1 (a compact String's bytes, and UTF-8 for ASCII) or UTF-16. */
    private static boolean holds(byte[] heap, String text) {
        return indexOf(heap, text.getBytes(StandardCharsets.ISO_8859_1)) >= 0
                || indexOf(heap, text.getBytes(StandardCharsets.UTF_16LE)) >= 0
                || indexOf(heap, text.getBytes(StandardCharsets.UTF_16BE)) >= 0;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void theServersHeapHoldsNoEndToEndTextButDoesHoldAReadableOne() throws Exception {
        Path home = Scratch.directory("heap");
        String sealed = "sealed-text-the-relay-never-sees-8134";
        String readable = "readable-text-the-relay-handles-6620";
        ServiceProcess server = ServiceProcess.launch(Map.of("ciphergram.identity.path",
                home.resolve("server_identity.pem").toString()), Map.of()).awaitStarted();
        try {
            ConsoleClient bob = ConsoleClient.start(server.udpPort(), home, "hbob");
            ConsoleClient alice = ConsoleClient.start(server.udpPort(), home, "halice");
            alice.type("/msg hbob " + sealed);
            await().atMost(ClassicPeer.WAIT).until(() -> bob.stdout().contains("halice (private, end-to-end): " + sealed));
            try (ClassicPeer carol = ClassicPeer.join(server.udpPort(), "hcarol")) {
                carol.say("/msg hbob " + readable);
                await().atMost(ClassicPeer.WAIT).until(() -> bob.stdout().contains("hcarol (private): " + readable));
            }
            Path dump = home.resolve("server.hprof");
            Process jcmd = new ProcessBuilder(JCMD, Long.toString(server.process().pid()), "GC.heap_dump", "-all",
                    dump.toString()).redirectErrorStream(true).start();
            assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(dump)).as("jcmd wrote the dump: %s", new String(jcmd.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8)).isTrue();
            byte[] heap = Files.readAllBytes(dump);
            assertThat(holds(heap, readable)).as("the control: a text the relay handled is in its heap").isTrue();
            assertThat(holds(heap, sealed)).as("the end-to-end text is nowhere in the relay's heap").isFalse();
            alice.quit();
            bob.quit();
        } finally {
            server.close();
        }
    }
}
