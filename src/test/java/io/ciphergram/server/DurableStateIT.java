package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.ConsoleClient;
import io.ciphergram.testing.Scratch;
import io.ciphergram.testing.ServiceProcess;

/**
 * The packaged service keeps what it must across a restart in its data directory (docs/OPERATIONS.md,
 * "Data"): a room's history said before a SIGTERM is there for whoever arrives after the next start.
 */
class DurableStateIT {

    @Test
    void aBoundNameAndAStoredEndToEndMessageSurviveARestart() throws Exception {
        Path dir = Scratch.directory("bindings");
        Map<String, String> properties = Map.of("ciphergram.data.dir", dir.resolve("data").toString(),
                "ciphergram.identity.path", dir.resolve("server_identity.pem").toString());
        ServiceProcess first = ServiceProcess.launch(properties, Map.of()).awaitStarted();
        try {
            ConsoleClient bob = ConsoleClient.start(first.udpPort(), dir, "dbob");
            bob.quit(); // bound to bob's identity, his prekey published; then away
            ConsoleClient alice = ConsoleClient.start(first.udpPort(), dir, "dalice");
            alice.type("/msg dbob kept for bob across a restart");
            await().atMost(ClassicPeer.WAIT).until(() -> alice.stdout().contains(
                    "* dbob is offline: stored end to end, delivered when dbob returns"));
            alice.quit();
        } finally {
            first.stop();
        }
        ServiceProcess second = ServiceProcess.launch(properties, Map.of()).awaitStarted();
        try {
            try (ClassicPeer impostor = ClassicPeer.join(second.udpPort(), "dbob")) {
                assertThat(impostor.received()).as("the name is still bob's")
                        .anyMatch(l -> l.startsWith("* you are dbob2 (dbob belongs to another identity)"));
            }
            ConsoleClient bob = ConsoleClient.start(second.udpPort(), dir, "dbob");
            await().atMost(ClassicPeer.WAIT).until(() -> bob.stdout().contains(
                    "dalice (private, end-to-end): kept for bob across a restart"));
            bob.quit();
        } finally {
            second.close();
        }
    }

    @Test
    void aRoomsHistorySurvivesARestart() throws Exception {
        Path dir = Scratch.directory("durable");
        Map<String, String> properties = Map.of("ciphergram.data.dir", dir.resolve("data").toString(),
                "ciphergram.identity.path", dir.resolve("server_identity.pem").toString());
        ServiceProcess first = ServiceProcess.launch(properties, Map.of()).awaitStarted();
        try (ClassicPeer alice = ClassicPeer.join(first.udpPort(), "alice")) {
            alice.say("said before the restart");
            try (ClassicPeer bob = ClassicPeer.join(first.udpPort(), "bob")) {
                await().atMost(ClassicPeer.WAIT).until(() -> bob.history().stream()
                        .anyMatch(l -> l.endsWith("] alice: said before the restart")));
            }
        } finally {
            first.stop();
        }
        assertThat(dir.resolve("data")).isDirectory();
        ServiceProcess second = ServiceProcess.launch(properties, Map.of()).awaitStarted();
        try (ClassicPeer carol = ClassicPeer.join(second.udpPort(), "carol")) {
            await().atMost(ClassicPeer.WAIT).until(() -> carol.history().stream()
                    .anyMatch(l -> l.matches("\\[\\d\\d:\\d\\d] alice: said before the restart")));
        } finally {
            second.close();
        }
    }
}
