package io.ciphergram.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.ciphergram.crypto.Fingerprint;
import io.ciphergram.protocol.ChatText;
import io.ciphergram.protocol.TokenBucket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The console client: reads lines from stdin and sends each as a message; prints each message it
 * receives as one line on stdout ("bob: hi", notices as "* ..."); status and errors go to stderr. Speaks
 * the hardened v2 profile unless {@code --classic}. On end of input it waits until everything sent has
 * been acknowledged (v2), leaves, and exits 0; 1 if it could not connect, 2 if delivery was not confirmed.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Chat through a Ciphergram server: stdin lines are sent, messages are printed on stdout.")
public final class ClientCommand implements Callable<Integer> {

    static final int CONNECT_FAILED = 1;
    static final int NOT_DELIVERED = 2;
    /** The server ended the session (it is shutting down, or an operator removed the user). */
    static final int ENDED_BY_SERVER = 3;

    @Option(names = "--server", description = "HOST:PORT of the server's UDP port, or the URL of its WebSocket gateway"
            + " (ws://HOST:8080/ws, v2 only) (default: ${DEFAULT-VALUE})", defaultValue = "127.0.0.1:12345")
    String server;

    @Option(names = "--name", description = "Username to register (letters, digits, _ - .; at most 32)")
    String name;

    @Option(names = "--classic", description = "Speak the original system's classic wire format instead of v2")
    boolean classic;

    @Option(names = "--fingerprint", description = "v2: the server fingerprint (SHA256:...) to require, instead of"
            + " trusting the one seen first")
    String fingerprint;

    @Option(names = "--known-servers", description = "v2: trust-on-first-use store (default: ~/.ciphergram/known_servers)")
    Path knownServers;

    @Option(names = "--rate", description = "Classic: messages per second to send at most (default: ${DEFAULT-VALUE}),"
            + " below the server's flood limit; v2 paces to the limits the server states", defaultValue = "8")
    double rate;

    @Option(names = "--burst", description = "Classic: messages sent at once before pacing starts (default: ${DEFAULT-VALUE})",
            defaultValue = "10")
    double burst;

    @Option(names = "--timeout", description = "Seconds to wait for the server during the handshake (default: ${DEFAULT-VALUE})",
            defaultValue = "5")
    int timeoutSeconds;

    @Option(names = "--delivery-timeout", description = "v2: seconds to wait at end of input for every message to be"
            + " acknowledged (default: ${DEFAULT-VALUE})", defaultValue = "600")
    int deliveryTimeoutSeconds;

    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;

    public ClientCommand() {
        this(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8));
    }

    public ClientCommand(BufferedReader in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        String username = name != null ? name : System.getProperty("user.name", "user");
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        ChatConnection connection;
        try {
            URI gateway = gateway(server);
            if (gateway != null) {
                if (classic) {
                    throw new IOException("the WebSocket gateway speaks v2 only: drop --classic");
                }
                connection = V2Connection.open(gateway, username, timeout, this::trust);
            } else {
                InetSocketAddress address = HostPort.parse(server).resolve();
                connection = classic
                        ? ClassicConnection.open(address, username, timeout)
                        : V2Connection.open(address, username, timeout, this::trust);
            }
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return CONNECT_FAILED;
        }
        try (connection) {
            err.println("connected to " + server + " (" + connection.describe() + "); type messages, /help for commands");
            CompletableFuture<Void> ended = new CompletableFuture<>();
            Thread receiver = new Thread(() -> {
                printIncoming(connection);
                ended.complete(null);
            }, "ciphergram-receiver");
            receiver.setDaemon(true);
            receiver.start();
            // Reading stdin blocks, so it has a thread of its own: the session may end first.
            CompletableFuture<Boolean> input = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    input.complete(sendLines(connection));
                } catch (Exception e) {
                    input.completeExceptionally(e);
                }
            }, "ciphergram-stdin");
            reader.setDaemon(true);
            reader.start();
            CompletableFuture.anyOf(input, ended).join();
            if (!input.isDone() && connection.endedByServer()) {
                err.println("the server ended the session");
                return ENDED_BY_SERVER;
            }
            boolean quit;
            try {
                quit = input.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage());
            }
            if (!connection.awaitDelivered(Duration.ofSeconds(deliveryTimeoutSeconds))) {
                err.println("error: not every message was acknowledged within " + deliveryTimeoutSeconds + " s");
                return NOT_DELIVERED;
            }
            if (!quit && classic) {
                connection.sendText("/quit"); // v2 ends with a Close record when the connection closes
            }
            return 0;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return NOT_DELIVERED;
        }
    }

    /** The gateway's URL if {@code server} is one ({@code ws://} or {@code wss://}), else null. */
    static URI gateway(String server) {
        String s = server.strip();
        if (!s.startsWith("ws://") && !s.startsWith("wss://")) {
            return null;
        }
        URI uri = URI.create(s);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("a gateway is ws://HOST:PORT/ws, got " + server);
        }
        return uri;
    }

    /** The key the trust store keeps a server under: HOST:PORT, for a gateway its HTTP host and port. */
    private HostPort trustKey() {
        URI gateway = gateway(server);
        if (gateway == null) {
            return HostPort.parse(server);
        }
        int port = gateway.getPort() > 0 ? gateway.getPort() : "wss".equals(gateway.getScheme()) ? 443 : 80;
        return new HostPort(gateway.getHost(), port);
    }

    private void trust(Fingerprint presented) throws IOException {
        KnownServers store = new KnownServers(knownServers != null ? knownServers : KnownServers.defaultPath());
        Optional<Fingerprint> pinned = Optional.ofNullable(fingerprint).map(Fingerprint::parse);
        switch (store.check(trustKey(), presented, pinned)) {
            case FIRST_USE -> err.println("new server " + server + ": trusting its key " + presented
                    + " from now on (recorded in " + store.file() + ")");
            case MATCH -> {
            }
            case MISMATCH -> throw new IOException("the server's identity key has CHANGED: it presented " + presented
                    + ", which is not " + pinned.map(p -> "the key " + p + " given by --fingerprint."
                            + " Check the fingerprint the server logs at startup.")
                            .orElse("the key recorded for " + server + " in " + store.file() + ". Someone may be"
                                    + " impersonating the server; if its key really changed, remove that line."));
        }
    }

    /** Sends stdin line by line; true if the user typed /quit. */
    private boolean sendLines(ChatConnection connection) throws IOException, InterruptedException {
        TokenBucket pace = classic ? new TokenBucket(rate, burst, System.nanoTime()) : null;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            if (pace != null) {
                long wait;
                while ((wait = pace.nanosUntilToken(System.nanoTime())) > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                pace.tryTake(System.nanoTime());
            }
            connection.sendText(line);
            if (line.strip().equalsIgnoreCase("/quit")) {
                return true;
            }
        }
        return false;
    }

    private void printIncoming(ChatConnection connection) {
        try {
            String text;
            while ((text = connection.receiveText()) != null) {
                synchronized (out) {
                    out.println(ChatText.clean(text)); // a server must not drive the terminal
                }
            }
        } catch (SocketException e) {
            // the connection was closed at the end of input
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
        }
    }

}
