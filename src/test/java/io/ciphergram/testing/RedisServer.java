package io.ciphergram.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code redis-server} for a test: on a free loopback port, persistence off (so a restart comes
 * back empty, as after a crash), stopped and started again on the same port when the test says.
 */
public final class RedisServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/redis-server");
    private static final Duration START = Duration.ofSeconds(20);

    private final int port;
    private ProcessPeer process;

    private RedisServer(int port) {
        this.port = port;
    }

    /** Starts one on a free port; fails (never skips) if the binary is missing. */
    public static RedisServer start() throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(BINARY + " is missing: install Debian's redis-server (.ci/run does)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        RedisServer redis = new RedisServer(port);
        redis.run();
        return redis;
    }

    private void run() throws IOException {
        process = new ProcessPeer(List.of(BINARY.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no"));
        await().atMost(START).until(() -> process.stdout().stream().anyMatch(l -> l.contains("Ready to accept connections"))
                || !process.process().isAlive());
        if (!process.process().isAlive()) {
            throw new IOException("redis-server did not start: " + process.stdout());
        }
    }

    /** redis://127.0.0.1:PORT */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Runs {@code redis-cli} against it with {@code args}; returns what it printed. */
    public String cli(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!cli.waitFor(10, TimeUnit.SECONDS)) {
            cli.destroyForcibly();
            throw new IOException("redis-cli did not finish: " + command);
        }
        return new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    /** Stops it (SIGKILL, as a crash would): every connection to it breaks at once. */
    public void stop() throws InterruptedException {
        process.process().destroyForcibly();
        process.process().waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port, empty. */
    public void restart() throws IOException {
        run();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            stop();
        }
    }
}
