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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.junit.QuarkusTest;
import picocli.CommandLine;

/** The console client's stdin/stdout contract in the classic profile, run in-process against the service. */
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

    @Test
    void anUnreachableServerIsReportedAndExitsNonZero() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int exit = client(new BufferedReader(new StringReader("")))
                    .execute("--classic", "--server", "127.0.0.1:" + silent.getLocalPort(), "--name", "c3", "--timeout", "1");
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: no SYN-ACK from the server");
            exit = client(new BufferedReader(new StringReader("")))
                    .execute("--server", "127.0.0.1:" + silent.getLocalPort(), "--name", "c3", "--timeout", "1");
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: no v2 handshake answer from the server");
        }
    }
}
