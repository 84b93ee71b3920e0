package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.cli.ClientCommand;
import io.ciphergram.cli.KnownServers;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.V2Peer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.junit.QuarkusTest;
import picocli.CommandLine;

/** v2 clients over real UDP, alone and in one room with classic clients. */
@QuarkusTest
class V2JourneyTest {

    @Inject
    UdpTransport udp;

    @ConfigProperty(name = "ciphergram.identity.path")
    Path identityPath;

    @TempDir
    Path home;

    private Path known() {
        return home.resolve("known_servers");
    }

    @Test
    void aClassicClientAndTwoV2ClientsChatInOneRoom() throws Exception {
        try (V2Peer alice = V2Peer.join(udp.port(), "v1alice", known());
                V2Peer bob = V2Peer.join(udp.port(), "v1bob", known());
                ClassicPeer carol = ClassicPeer.join(udp.port(), "v1carol")) {
            alice.awaitLine("* you are v1alice; /help lists commands");
            alice.awaitLine("* v1carol joined");
            bob.awaitLine("* v1carol joined");

            alice.say("hello from v2 ✓");
            bob.awaitLine("v1alice: hello from v2 ✓");
            carol.awaitLine("v1alice: hello from v2 ✓");

            carol.say("hello from classic");
            alice.awaitLine("v1carol: hello from classic");
            bob.awaitLine("v1carol: hello from classic");

            bob.say("/msg v1carol private from v2");
            carol.awaitLine("v1bob (private): private from v2");
            carol.say("/msg v1alice private from classic");
            alice.awaitLine("v1carol (private): private from classic");
            io.ciphergram.testing.ChatPeer.barrier(alice, "v1alice", bob, carol);
            assertThat(bob.received()).noneMatch(l -> l.contains("private from"));

            alice.say("/who");
            alice.awaitLine(l -> l.startsWith("* online") && l.contains("v1alice") && l.contains("v1bob")
                    && l.contains("v1carol"));
        }
    }

    @Test
    void largeMessagesArriveWholeForV2AndInPartsForClassic() throws Exception {
        try (V2Peer alice = V2Peer.join(udp.port(), "v2alice", known());
                V2Peer bob = V2Peer.join(udp.port(), "v2bob", known());
                ClassicPeer carol = ClassicPeer.join(udp.port(), "v2carol")) {
            alice.awaitLine("* v2carol joined");
            StringBuilder big = new StringBuilder();
            for (int i = 0; big.toString().getBytes(StandardCharsets.UTF_8).length < 60_000; i++) {
                big.append("line ").append(i).append(" ✓ ");
            }
            alice.say(big.toString());
            bob.awaitLine("v2alice: " + big);
            // Classic clients get it in parts of at most 3055 bytes, which together are the whole text.
            String expected = "v2alice: " + big;
            org.awaitility.Awaitility.await().atMost(ClassicPeer.WAIT).until(() -> String.join("",
                    carol.received().stream().filter(l -> !l.startsWith("* ")).toList()).equals(expected));
            assertThat(carol.received().stream().filter(l -> !l.startsWith("* ")))
                    .allMatch(l -> l.getBytes(StandardCharsets.UTF_8).length <= 3055).hasSizeGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void quitEndsTheSessionOnBothSides() throws Exception {
        try (V2Peer alice = V2Peer.join(udp.port(), "v3alice", known());
                V2Peer bob = V2Peer.join(udp.port(), "v3bob", known())) {
            alice.awaitLine("* v3bob joined");
            bob.say("/quit");
            bob.awaitLine("* bye");
            alice.awaitLine("* v3bob left");
            assertThat(bob.connection().awaitDelivered(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void theServerIdentityKeyIsOwnerOnlyAndThePinIsCheckedOnEveryConnection() throws Exception {
        assertThat(Files.exists(identityPath)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identityPath))).isEqualTo("rw-------");

        String server = "127.0.0.1:" + udp.port();
        Result first = runClient("hello", "--server", server, "--name", "v4pin", "--known-servers", known().toString());
        assertThat(first.exit).isZero();
        assertThat(first.err).contains("new server " + server + ": trusting its key SHA256:");
        assertThat(new KnownServers(known()).recorded(server)).hasSize(1);

        Result second = runClient("again", "--server", server, "--name", "v4pin", "--known-servers", known().toString());
        assertThat(second.exit).isZero();
        assertThat(second.err).doesNotContain("new server");

        // A different recorded key (as after an impersonation) is refused with a clear error.
        Files.writeString(known(), server + " SHA256:" + "A".repeat(43) + "\n");
        Result changed = runClient("nope", "--server", server, "--name", "v4pin", "--known-servers", known().toString());
        assertThat(changed.exit).isEqualTo(1);
        assertThat(changed.err).contains("identity key has CHANGED");

        Result wrongPin = runClient("nope", "--server", server, "--name", "v4pin", "--known-servers",
                home.resolve("other").toString(), "--fingerprint", "SHA256:" + "B".repeat(43));
        assertThat(wrongPin.exit).isEqualTo(1);
        assertThat(wrongPin.err).contains("identity key has CHANGED").contains("given by --fingerprint");
    }

    @Test
    void pipedInputExitsZeroOnlyOnceEverythingIsAcknowledged() throws Exception {
        try (ClassicPeer carol = ClassicPeer.join(udp.port(), "v5carol")) {
            StringBuilder lines = new StringBuilder();
            for (int i = 1; i <= 40; i++) {
                lines.append("paced ").append(i).append('\n');
            }
            Result result = runClient(lines.toString(), "--server", "127.0.0.1:" + udp.port(), "--name", "v5alice",
                    "--known-servers", known().toString());
            assertThat(result.exit).isZero();
            carol.awaitLine("* v5alice left");
            // 40 lines against a limit of 10/s with a burst of 20: all paced through, none flooded, in order.
            assertThat(carol.received().stream().filter(l -> l.startsWith("v5alice: ")))
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 40)
                            .mapToObj(i -> "v5alice: paced " + i).toList());
        }
    }

    @Test
    void endOfInputWithoutAcknowledgementsExitsNonZeroAndSaysSo() throws Exception {
        java.io.PipedWriter typing = new java.io.PipedWriter();
        BufferedReader stdin = new BufferedReader(new java.io.PipedReader(typing));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (io.ciphergram.testing.LossyUdpProxy proxy = io.ciphergram.testing.LossyUdpProxy.start(
                new java.net.InetSocketAddress("127.0.0.1", udp.port()), io.ciphergram.testing.LossyUdpProxy.Impairment.none(), 1)) {
            java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> new CommandLine(new ClientCommand(stdin, new PrintStream(new ByteArrayOutputStream(), true,
                            StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                            .execute("--server", "127.0.0.1:" + proxy.address().getPort(), "--name", "v6lost",
                                    "--known-servers", known().toString(), "--delivery-timeout", "2"));
            org.awaitility.Awaitility.await().atMost(ClassicPeer.WAIT)
                    .until(() -> err.toString(StandardCharsets.UTF_8).contains("connected to"));
            proxy.close(); // the path to the server disappears
            typing.write("into the void\n");
            typing.close();
            assertThat(exit.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("not every message was acknowledged within 2 s");
        }
    }

    @Test
    void aForgedKeyReplyIsIgnoredAndTheGenuineOneStillCompletesTheHandshake() throws Exception {
        try (java.net.DatagramSocket proxy = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            java.net.InetSocketAddress server = new java.net.InetSocketAddress("127.0.0.1", udp.port());
            Thread relay = new Thread(() -> interpose(proxy, server), "forging-proxy");
            relay.setDaemon(true);
            relay.start();
            try (V2Peer alice = V2Peer.join(new java.net.InetSocketAddress("127.0.0.1", proxy.getLocalPort()), "v7alice",
                    known())) {
                alice.awaitLine("* you are v7alice; /help lists commands");
            }
        }
    }

    /**
     * Forwards datagrams both ways; before the server's KeyReply it sends the client a forged one (its
     * signature altered), as anyone who can send the client datagrams could.
     */
    private static void interpose(java.net.DatagramSocket proxy, java.net.InetSocketAddress server) {
        java.net.SocketAddress client = null;
        byte[] buffer = new byte[2048];
        try {
            while (!proxy.isClosed()) {
                java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
                proxy.receive(packet);
                byte[] data = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                if (packet.getSocketAddress().equals(server)) {
                    if (client == null) {
                        continue;
                    }
                    if (data.length > 3 && data[2] == io.ciphergram.protocol.v2.V2Codec.KEY_REPLY) {
                        byte[] forged = data.clone();
                        forged[forged.length - 1] ^= 1;
                        proxy.send(new java.net.DatagramPacket(forged, forged.length, client));
                    }
                    proxy.send(new java.net.DatagramPacket(data, data.length, client));
                } else {
                    client = packet.getSocketAddress();
                    proxy.send(new java.net.DatagramPacket(data, data.length, server));
                }
            }
        } catch (java.io.IOException e) {
            // closed at the end of the test
        }
    }

    record Result(int exit, String err) {
    }

    private Result runClient(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new ClientCommand(new BufferedReader(new StringReader(stdin)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute(args);
        return new Result(exit, err.toString(StandardCharsets.UTF_8));
    }
}
