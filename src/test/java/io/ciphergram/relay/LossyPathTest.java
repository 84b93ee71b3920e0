package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.cli.ClientCommand;
import io.ciphergram.testing.LossyUdpProxy;
import io.ciphergram.testing.V2Peer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import picocli.CommandLine;

/**
 * Two v2 clients talk through an in-process proxy that loses 20% of datagrams each way, duplicates 5%,
 * reorders and replays: all 1,000 messages arrive exactly once and in order, and the sender, a console
 * client fed a file of 1,000 lines, exits 0 once everything is acknowledged. The flood limit is raised
 * here so that the run takes seconds, not the 100 s that 1,000 messages at the default 10/s would.
 */
@QuarkusTest
@TestProfile(LossyPathTest.FastRelay.class)
class LossyPathTest {

    public static class FastRelay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ciphergram.flood.per-second", "400", "ciphergram.flood.burst", "100");
        }
    }

    private static final int MESSAGES = 1_000;

    @Inject
    UdpTransport udp;

    @TempDir
    Path home;

    @Test
    void everyMessageArrivesExactlyOnceInOrderThroughALossyPath() throws Exception {
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", udp.port());
        try (LossyUdpProxy proxy = LossyUdpProxy.start(server, LossyUdpProxy.Impairment.harsh(), 20261125L);
                V2Peer bob = V2Peer.join(proxy.address(), "lossybob", home.resolve("known"))) {
            bob.awaitLine("* you are lossybob; /help lists commands");
            String input = IntStream.rangeClosed(1, MESSAGES).mapToObj(i -> "message " + i + "\n")
                    .reduce("", String::concat);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = new CommandLine(new ClientCommand(new BufferedReader(new StringReader(input)),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)))
                    .execute("--server", "127.0.0.1:" + proxy.address().getPort(), "--name", "lossyalice",
                            "--known-servers", home.resolve("known").toString(), "--timeout", "10");
            assertThat(exit).as("sender exit; stderr: %s", err).isZero();

            List<String> expected = IntStream.rangeClosed(1, MESSAGES).mapToObj(i -> "lossyalice: message " + i).toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> bob.received().stream()
                    .filter(l -> l.startsWith("lossyalice: ")).count() >= MESSAGES);
            assertThat(bob.received().stream().filter(l -> l.startsWith("lossyalice: ")).toList())
                    .containsExactlyElementsOf(expected);

            // The path really was lossy, duplicating and replaying in both directions.
            for (LossyUdpProxy.Direction d : LossyUdpProxy.Direction.values()) {
                LossyUdpProxy.Counters c = proxy.counters(d);
                System.out.printf("lossy path %s: %s%n", d, c);
                assertThat(c.dropped()).as("dropped %s", d).isPositive();
                assertThat(c.duplicated()).as("duplicated %s", d).isPositive();
                assertThat(c.replayed()).as("replayed %s", d).isPositive();
            }
        }
    }
}
