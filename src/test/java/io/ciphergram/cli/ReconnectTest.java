package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.relay.Engine;
import io.ciphergram.relay.RelaySettings;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.PublishedUdpPort;
import io.ciphergram.transport.udp.UdpTransport;
import picocli.CommandLine;

/**
 * The console client outlives its server: a real engine with its UDP transport is stopped without a word
 * (as a crash or a kill would) and started again on the same port with the same identity; the client
 * notices within seconds, reconnects by itself under the same name, sends what was never acknowledged, and
 * chats again.
 */
class ReconnectTest {

    @TempDir
    Path home;

    private Engine engine;
    private UdpTransport udp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int startServer(int port) throws Exception {
        engine = Engine.start(RelaySettings.defaults(), ServerIdentity.loadOrCreate(home.resolve("identity.pem")));
        udp = new UdpTransport(engine.relay(), engine.counters(), "127.0.0.1", port);
        udp.start(null);
        return udp.port();
    }

    /** Gone at once, no goodbye: the transport's sockets close and the engine stops. */
    private void killServer() throws Exception {
        udp.stop(null);
        engine.close();
    }

    @AfterEach
    void stop() throws Exception {
        if (udp != null && udp.listening()) {
            killServer();
        }
    }

    /** What the user types into the client started last. */
    private PipedWriter typing;

    /** Starts the console client against 127.0.0.1:{@code port} as {@code name}, with its own files; returns its exit code. */
    private CompletableFuture<Integer> client(int port, String name, String... more) throws IOException {
        typing = new PipedWriter();
        BufferedReader stdin = new BufferedReader(new PipedReader(typing));
        List<String> args = new ArrayList<>(List.of("--server", "127.0.0.1:" + port, "--name", name,
                "--known-servers", home.resolve("known").toString(), "--identity", home.resolve("alice.identity").toString()));
        args.addAll(List.of(more));
        ClientCommand command = new ClientCommand(stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> new CommandLine(command).execute(args.toArray(String[]::new)));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void afterTheServerDiesTheClientReconnectsUnderItsNameResendsWhatWasLostAndChatsAgain() throws Exception {
        int port = startServer(0);
        CompletableFuture<Integer> exit = client(port, "r1alice");
        await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("* you are r1alice; /help lists commands\n"));

        killServer();
        long killed = System.nanoTime();
        typing.write("said while the server was away\n");
        typing.flush();
        await().atMost(Duration.ofSeconds(15)).until(() -> stderr().contains("lost the server at 127.0.0.1:" + port));
        double noticed = (System.nanoTime() - killed) / 1e9;
        assertThat(noticed).as("seconds until the client noticed").isLessThan(10);

        startServer(port);
        try (ClassicPeer bob = ClassicPeer.join(port, "r1bob")) {
            bob.say("/who"); // a classic client joins the room with its first message
            await().atMost(Duration.ofSeconds(30)).until(() -> stdout().contains("* reconnected\n"));
            // The same name (no "r1alice2"), and the line the dead server never acknowledged arrives now.
            bob.awaitLine("r1alice: said while the server was away");
            assertThat(stdout()).doesNotContain("r1alice2");
            bob.say("welcome back");
            await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("r1bob: welcome back\n"));
            typing.write("thanks\n");
            typing.flush();
            bob.awaitLine("r1alice: thanks");
            assertThat(bob.received()).filteredOn(l -> l.equals("r1alice: said while the server was away")).hasSize(1);
        }
        typing.close();
        assertThat(exit.get(20, TimeUnit.SECONDS)).as("stderr: %s", stderr()).isZero();
    }

    /**
     * What {@code scripts/container-smoke.sh} met in CI: the container restarts behind its published port,
     * and the client's first try, made while no container was up, leaves a connection-tracking entry that
     * sends that port nowhere for as long as it keeps sending. The try fails; the next one comes from a new
     * port and reaches the new container.
     */
    @Test
    void afterARestartBehindAPublishedPortThatSendsItsOldPortNowhereTheClientComesBackFromANewPort() throws Exception {
        int first = startServer(0);
        try (PublishedUdpPort published = PublishedUdpPort.to(new InetSocketAddress("127.0.0.1", first))) {
            CompletableFuture<Integer> exit = client(published.address().getPort(), "r3alice", "--timeout", "2");
            await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("* you are r3alice; /help lists commands\n"));
            assertThat(published.clientsSeen()).isEqualTo(1);

            published.down(); // podman stop: the container and its rule go
            killServer();
            awaitATryIntoNowhere(published);
            published.up(new InetSocketAddress("127.0.0.1", startServer(0))); // a new container, a new address
            awaitReconnectedFromANewPort(published);
            assertThat(stderr()).contains("reconnecting to 127.0.0.1:" + published.address().getPort() + " failed");
            assertThat(stdout()).doesNotContain("r3alice2");
            typing.close();
            assertThat(exit.get(20, TimeUnit.SECONDS)).as("stderr: %s", stderr()).isZero();
        }
    }

    /**
     * The same path trouble with the server alive throughout: it still holds the session when the client
     * comes back from its new port, silent for longer than a live client is, so the new session of the same
     * identity continues it: the same name, and the room is told nothing.
     */
    @Test
    void afterAnOutageOnThePathTheClientComesBackFromANewPortUnderItsOwnName() throws Exception {
        int port = startServer(0);
        try (PublishedUdpPort published = PublishedUdpPort.to(new InetSocketAddress("127.0.0.1", port));
                ClassicPeer bob = ClassicPeer.join(port, "r4bob")) {
            bob.say("/who");
            CompletableFuture<Integer> exit = client(published.address().getPort(), "r4alice");
            await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("* you are r4alice; /help lists commands\n"));
            bob.awaitLine("* r4alice joined");

            published.down();
            awaitATryIntoNowhere(published);
            published.up(new InetSocketAddress("127.0.0.1", port)); // the path works again
            awaitReconnectedFromANewPort(published);
            assertThat(stdout()).doesNotContain("r4alice2");
            typing.write("back again\n");
            typing.flush();
            bob.awaitLine("r4alice: back again");
            assertThat(bob.received()).doesNotContain("* r4alice left").containsOnlyOnce("* r4alice joined");
            typing.close();
            assertThat(exit.get(20, TimeUnit.SECONDS)).as("stderr: %s", stderr()).isZero();
        }
    }

    /** The client noticed the loss, and its first try (from its old port) went nowhere. */
    private void awaitATryIntoNowhere(PublishedUdpPort published) {
        await().atMost(Duration.ofSeconds(15)).until(() -> stderr().contains("lost the server at 127.0.0.1:"));
        await().atMost(Duration.ofSeconds(10)).until(() -> published.wentNowhere() > 0);
    }

    private void awaitReconnectedFromANewPort(PublishedUdpPort published) {
        await().atMost(Duration.ofSeconds(30)).until(() -> stdout().contains("* reconnected\n"));
        assertThat(published.clientsSeen()).as("source ports the client used").isGreaterThanOrEqualTo(2);
    }

    @Test
    void withNoReconnectASilentServerEndsTheClientWithExitTwo() throws Exception {
        int port = startServer(0);
        CompletableFuture<Integer> exit = client(port, "r2alice", "--no-reconnect");
        await().atMost(ClassicPeer.WAIT).until(() -> stdout().contains("* you are r2alice"));

        killServer();
        typing.write("into the silence\n");
        typing.flush();

        assertThat(exit.get(15, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(stderr()).contains("error: no answer from the server for 5 s");
    }
}
