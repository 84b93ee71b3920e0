package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.cli.ClientCommand;
import io.ciphergram.cli.KnownServers;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.testing.ChatPeer;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.LossyUdpProxy;
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
            ChatPeer.barrier(alice, "v1alice", bob, carol);
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
            assertThat(bob.connection().awaitDelivered(Duration.ofSeconds(5))).isTrue();
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
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 40)
                            .mapToObj(i -> "v5alice: paced " + i).toList());
        }
    }

    @Test
    void endOfInputWithoutAcknowledgementsExitsNonZeroAndSaysSo() throws Exception {
        PipedWriter typing = new PipedWriter();
        BufferedReader stdin = new BufferedReader(new PipedReader(typing));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (LossyUdpProxy proxy = LossyUdpProxy.start(
                new InetSocketAddress("127.0.0.1", udp.port()), LossyUdpProxy.Impairment.none(), 1)) {
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                    () -> new CommandLine(new ClientCommand(stdin, new PrintStream(new ByteArrayOutputStream(), true,
                            StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                            .execute("--server", "127.0.0.1:" + proxy.address().getPort(), "--name", "v6lost",
                                    "--known-servers", known().toString(), "--delivery-timeout", "2"));
            org.awaitility.Awaitility.await().atMost(ClassicPeer.WAIT)
                    .until(() -> err.toString(StandardCharsets.UTF_8).contains("connected to"));
            proxy.close(); // the path to the server disappears
            typing.write("into the void\n");
            typing.close();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("not every message was acknowledged within 2 s");
        }
    }

    @Test
    void aForgedKeyReplyIsIgnoredAndTheGenuineOneStillCompletesTheHandshake() throws Exception {
        try (DatagramSocket proxy = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", udp.port());
            Thread relay = new Thread(() -> interpose(proxy, server), "forging-proxy");
            relay.setDaemon(true);
            relay.start();
            try (V2Peer alice = V2Peer.join(new InetSocketAddress("127.0.0.1", proxy.getLocalPort()), "v7alice",
                    known())) {
                alice.awaitLine("* you are v7alice; /help lists commands");
            }
        }
    }

    /**
     * Forwards datagrams both ways; before the server's KeyReply it sends the client a forged one (its
     * signature altered), as anyone who can send the client datagrams could.
     */
    private static void interpose(DatagramSocket proxy, InetSocketAddress server) {
        SocketAddress client = null;
        byte[] buffer = new byte[2048];
        try {
            while (!proxy.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                proxy.receive(packet);
                byte[] data = Arrays.copyOf(packet.getData(), packet.getLength());
                if (packet.getSocketAddress().equals(server)) {
                    if (client == null) {
                        continue;
                    }
                    if (data.length > 3 && data[2] == V2Codec.KEY_REPLY) {
                        byte[] forged = data.clone();
                        forged[forged.length - 1] ^= 1;
                        proxy.send(new DatagramPacket(forged, forged.length, client));
                    }
                    proxy.send(new DatagramPacket(data, data.length, client));
                } else {
                    client = packet.getSocketAddress();
                    proxy.send(new DatagramPacket(data, data.length, server));
                }
            }
        } catch (IOException e) {
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
