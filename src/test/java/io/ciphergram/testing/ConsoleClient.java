package io.ciphergram.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.ciphergram.cli.ClientCommand;
import picocli.CommandLine;

/**
 * The console client, run in this JVM as a user runs it (v2, with an identity), its identity and stores in a
 * directory of the test's, its input typed by the test and its output read back.
 */
public final class ConsoleClient {

    private final ByteArrayOutputStream out;
    private final PipedWriter typing;
    private final CompletableFuture<Integer> exit;

    private ConsoleClient(ByteArrayOutputStream out, PipedWriter typing, CompletableFuture<Integer> exit) {
        this.out = out;
        this.typing = typing;
        this.exit = exit;
    }

    /** Starts it against the UDP port {@code port} as {@code name}, with {@code options} besides, and waits for its welcome. */
    public static ConsoleClient start(int port, Path dir, String name, String... options) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PipedWriter typing = new PipedWriter();
        BufferedReader in = new BufferedReader(new PipedReader(typing));
        CommandLine line = new CommandLine(new ClientCommand(in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        List<String> args = new ArrayList<>(List.of("--server", "127.0.0.1:" + port, "--name", name, "--identity",
                dir.resolve(name + ".identity").toString(), "--known-users", dir.resolve(name + ".known_users").toString(),
                "--known-servers", dir.resolve(name + ".known_servers").toString()));
        args.addAll(List.of(options));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> line.execute(args.toArray(String[]::new)));
        ConsoleClient client = new ConsoleClient(out, typing, exit);
        await().atMost(Lines.WAIT).until(() -> client.stdout().contains("* you are " + name + ";"));
        return client;
    }

    public String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Waits until its output has a line containing {@code text}. */
    public void awaitOutput(String text) {
        await().atMost(Lines.WAIT).until(() -> stdout().contains(text));
    }

    public void type(String text) throws IOException {
        typing.write(text + "\n");
        typing.flush();
    }

    /** End of input: it sends what waits, leaves, and exits 0. */
    public void quit() throws Exception {
        typing.close();
        assertThat(exit.get(30, TimeUnit.SECONDS)).as("its exit code; output: %s", stdout()).isZero();
    }
}
