package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.ConsoleClient;
import io.ciphergram.testing.RecordingUdpProxy;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.junit.QuarkusTest;
import picocli.CommandLine;

/** The console client's stdin/stdout contract and its errors, run in-process against the service. */
@QuarkusTest
class ClientCommandTest {

    @Inject
    UdpTransport udp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private CommandLine client(BufferedReader stdin) {
        return new CommandLine(new ClientCommand(stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pipedInputIsSentInFullThenTheClientLeavesAndExitsZero() throws Exception {
        try (ClassicPeer bob = ClassicPeer.join(udp.port(), "c1bob")) {
            StringBuilder input = new StringBuilder();
            for (int i = 1; i <= 25; i++) {
                input.append("line ").append(i).append('\n');
            }
            int exit = client(new BufferedReader(new StringReader(input.toString())))
                    .execute("--classic", "--server", "127.0.0.1:" + udp.port(), "--name", "c1alice");
            assertThat(exit).isZero();
            bob.awaitLine("* c1alice left");
            // Paced below the server's flood limit, so none of the 25 was dropped, and in order.
            assertThat(bob.received().stream().filter(l -> l.startsWith("c1alice: line ")))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 25)
                            .mapToObj(i -> "c1alice: line " + i).toList());
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("connected to 127.0.0.1:" + udp.port());
        }
    }

    @Test
    void receivedMessagesAndNoticesArePrintedOneLineEach() throws Exception {
        PipedWriter typing = new PipedWriter();
        BufferedReader stdin = new BufferedReader(new PipedReader(typing));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> client(stdin).execute("--classic", "--server", "127.0.0.1:" + udp.port(), "--name", "c2alice"));
        await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("* you are c2alice"));
        typing.write("/who\n"); // her first message joins her to the room
        typing.flush();
        await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("* online ("));
        try (ClassicPeer bob = ClassicPeer.join(udp.port(), "c2bob")) {
            await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("* c2bob joined\n"));
            bob.say("hi alice, multi-byte ✓");
            await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("c2bob: hi alice, multi-byte ✓\n"));
            typing.write("hi bob\n");
            typing.flush();
            bob.awaitLine("c2alice: hi bob");
            typing.close();
            assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        }
    }

    @TempDir
    Path home;

    private ConsoleClient start(String name) throws Exception {
        return ConsoleClient.start(udp.port(), home, name, "--feedback");
    }

    @Test
    void aPrivateMessageBetweenTwoIdentitiesIsEndToEndAndTheNameStaysItsOwners() throws Exception {
        ConsoleClient bob = start("e2bob");
        ConsoleClient alice = start("e2alice");
        alice.type("/msg e2bob only bob reads this 4711");
        await().atMost(ClassicPeer.WAIT).until(() -> bob.stdout().contains("e2alice (private, end-to-end): only bob reads this 4711\n"));
        await().atMost(ClassicPeer.WAIT).until(() -> alice.stdout().contains(
                "you -> e2bob (private, end-to-end): only bob reads this 4711\n"));
        assertThat(bob.stdout()).as("alice's key is pinned on first use").contains("* e2alice's identity SHA256:");
        assertThat(Files.readString(home.resolve("e2bob.known_users"))).contains("e2alice");
        alice.quit(); // asserts its exit code is 0
        bob.quit();

        // bob's name is bound to his identity: a client without it (classic) gets another
        try (ClassicPeer impostor = ClassicPeer.join(udp.port(), "e2bob")) {
            assertThat(impostor.received()).anyMatch(l -> l.startsWith("* you are e2bob2 (e2bob belongs to another identity)"));
        }
    }

    @Test
    void joiningARoomShowsItsHistoryAsEarlierLinesAndItsLiveLines() throws Exception {
        ConsoleClient alice = start("hjalice");
        alice.type("/join #dev");
        await().atMost(ClassicPeer.WAIT).until(() -> alice.stdout().contains("* you are in #dev"));
        alice.type("said before bob came 4712");
        await().atMost(ClassicPeer.WAIT).until(() -> alice.stdout().contains("you: said before bob came 4712"));
        ConsoleClient bob = start("hjbob");
        bob.type("/join #dev");

        await().atMost(ClassicPeer.WAIT).until(() -> bob.stdout().contains("* earlier in #dev:\n"));
        await().atMost(ClassicPeer.WAIT).until(() -> bob.stdout().matches(
                "(?s).*\\* earlier in #dev:\n\\[\\d\\d:\\d\\d\\] hjalice: said before bob came 4712\n.*"));
        alice.type("live now 4713");
        await().atMost(ClassicPeer.WAIT).until(() -> bob.stdout().contains("\nhjalice: live now 4713\n"));
        assertThat(bob.stdout()).as("the end of the earlier lines is marked before the live ones")
                .containsSubsequence("* end of earlier lines", "hjalice: live now 4713");
        alice.quit(); // asserts its exit code is 0
        bob.quit();
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aMalformedFingerprintIsRefusedBeforeAnythingIsSent() throws Exception {
        try (RecordingUdpProxy proxy = RecordingUdpProxy.start(new InetSocketAddress("127.0.0.1", udp.port()))) {
            int exit = client(new BufferedReader(new StringReader("hello\n"))).execute("--server",
                    "127.0.0.1:" + proxy.port(), "--name", "c4zoe", "--known-servers", home.resolve("known").toString(), "--identity", home.resolve("identity").toString(),
                    "--fingerprint", "SHA256:not-a-digest");

            assertThat(exit).isEqualTo(1);
            assertThat(stderr()).contains("error: --fingerprint SHA256:not-a-digest is not a fingerprint");
            assertThat(proxy.fromClient()).as("nothing was sent").isEmpty();
        }
    }

    @Test
    void aDamagedKnownServersFileIsRefusedBeforeAnythingIsSent() throws Exception {
        Path known = home.resolve("damaged");
        Files.writeString(known, "127.0.0.1:1 SHA256:AAAA this line is broken\n");
        try (RecordingUdpProxy proxy = RecordingUdpProxy.start(new InetSocketAddress("127.0.0.1", udp.port()))) {
            int exit = client(new BufferedReader(new StringReader("hello\n"))).execute("--server",
                    "127.0.0.1:" + proxy.port(), "--name", "c5zoe", "--known-servers", known.toString(), "--identity", home.resolve("identity").toString());

            assertThat(exit).isEqualTo(1);
            assertThat(stderr()).contains("error: ").contains("line 1");
            assertThat(proxy.fromClient()).as("nothing was sent").isEmpty();
        }
    }

    @Test
    void aServerThatIsNotThePinnedOneGetsNothingUnderTheSessionsKeys() throws Exception {
        String other = "SHA256:" + java.util.Base64.getEncoder().withoutPadding().encodeToString(new byte[32]);
        try (RecordingUdpProxy proxy = RecordingUdpProxy.start(new InetSocketAddress("127.0.0.1", udp.port()))) {
            int exit = client(new BufferedReader(new StringReader("hello\n"))).execute("--server",
                    "127.0.0.1:" + proxy.port(), "--name", "c6zoe", "--known-servers", home.resolve("known").toString(), "--identity", home.resolve("identity").toString(),
                    "--fingerprint", other);

            assertThat(exit).isEqualTo(1);
            assertThat(stderr()).contains("identity key has CHANGED").contains("given by --fingerprint");
            assertThat(proxy.v2TypesFromClient()).as("Hello and KeyOffer only: no record, not even a Close")
                    .containsOnly((int) V2Codec.HELLO, (int) V2Codec.KEY_OFFER).contains((int) V2Codec.KEY_OFFER);
        }
    }

    @Test
    void theClientConfirmsItsKeysAtOnceAndSaysConnectedOnlyOnceAMember() throws Exception {
        PipedWriter typing = new PipedWriter();
        BufferedReader stdin = new BufferedReader(new PipedReader(typing));
        try (ClassicPeer bob = ClassicPeer.join(udp.port(), "c7bob");
                RecordingUdpProxy proxy = RecordingUdpProxy.start(new InetSocketAddress("127.0.0.1", udp.port()))) {
            bob.say("/who");
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> client(stdin).execute("--server",
                    "127.0.0.1:" + proxy.port(), "--name", "c7alice", "--known-servers", home.resolve("known").toString(), "--identity", home.resolve("identity").toString()));
            await().atMost(ClassicPeer.WAIT).until(() -> stderr().contains("connected to"));
            bob.say("said the moment alice is connected");

            await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("c7bob: said the moment alice is connected\n"));
            List<byte[]> sent = proxy.fromClient();
            int offer = proxy.v2TypesFromClient().lastIndexOf((int) V2Codec.KEY_OFFER);
            assertThat(sent.get(offer + 1)).as("the first record after the KeyOffer is a Ping: 20 + 1 + 16 bytes")
                    .hasSize(37).satisfies(d -> assertThat(d[2]).isEqualTo(V2Codec.DATA));
            typing.close();
            assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void anUnreachableServerIsReportedAndExitsNonZero() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int exit = client(new BufferedReader(new StringReader("")))
                    .execute("--classic", "--server", "127.0.0.1:" + silent.getLocalPort(), "--name", "c3", "--timeout", "1");
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: no SYN-ACK from the server");
            exit = client(new BufferedReader(new StringReader("")))
                    .execute("--server", "127.0.0.1:" + silent.getLocalPort(), "--name", "c3", "--timeout", "1",
                            "--identity", home.resolve("identity").toString());
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: no v2 handshake answer from the server at 127.0.0.1:"
                    + silent.getLocalPort() + " within 1 s");
        }
    }

    @Test
    void theTimeoutTakesTheTimeItSays() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            int exit = client(new BufferedReader(new StringReader(""))).execute("--server",
                    "127.0.0.1:" + silent.getLocalPort(), "--name", "c8", "--timeout", "2",
                    "--known-servers", home.resolve("known").toString(), "--identity", home.resolve("identity").toString());
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(exit).isEqualTo(1);
            // 2 s of waiting for an answer, plus making one RSA key pair first
            assertThat(seconds).isBetween(2.0, 4.0);
        }
    }

    @Test
    void aWebAddressOrAnUnknownHostIsNamedWithWhatToGiveInstead() {
        int exit = client(new BufferedReader(new StringReader(""))).execute("--server", "http://localhost:8080/",
                "--name", "c9");
        assertThat(exit).isEqualTo(1);
        assertThat(stderr()).contains("--server http://localhost:8080/ is a web address").contains("ws://HOST:PORT/ws");

        exit = client(new BufferedReader(new StringReader(""))).execute("--server", "no-such-host.invalid:12345",
                "--name", "c9", "--known-servers", home.resolve("known").toString(), "--identity", home.resolve("identity").toString());
        assertThat(exit).isEqualTo(1);
        assertThat(stderr()).contains("cannot resolve the host no-such-host.invalid (from --server");
    }

    @Test
    void versionPrintsTheVersion() {
        CommandLine cli = client(new BufferedReader(new StringReader("")));
        cli.setOut(new java.io.PrintWriter(out, true, StandardCharsets.UTF_8));
        int exit = cli.execute("--version");
        assertThat(exit).isZero();
        assertThat(stdout()).startsWith("ciphergram-cli 0.").doesNotContain("unknown");
    }
}
