package io.ciphergram.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.protocol.TokenBucket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The console client: reads lines from stdin and sends each as a message; prints each message it
 * receives as one line on stdout ("bob: hi", notices as "* ..."); status and errors go to stderr. On end
 * of input it leaves with /quit and exits 0.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Chat through a Ciphergram server: stdin lines are sent, messages are printed on stdout.")
public final class ClientCommand implements Callable<Integer> {

    @Option(names = "--server", description = "HOST:PORT of the server (default: ${DEFAULT-VALUE})",
            defaultValue = "127.0.0.1:12345")
    String server;

    @Option(names = "--name", description = "Username to register (letters, digits, _ - .; at most 32)")
    String name;

    @Option(names = "--classic", description = "Speak the seed's classic wire format (the only profile so far)")
    boolean classic = true;

    @Option(names = "--rate", description = "Messages per second to send at most (default: ${DEFAULT-VALUE}),"
            + " below the server's flood limit", defaultValue = "8")
    double rate;

    @Option(names = "--burst", description = "Messages sent at once before pacing starts (default: ${DEFAULT-VALUE})",
            defaultValue = "10")
    double burst;

    @Option(names = "--timeout", description = "Seconds to wait for the server during the handshake (default: ${DEFAULT-VALUE})",
            defaultValue = "5")
    int timeoutSeconds;

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
        InetSocketAddress address = parse(server);
        String username = name != null ? name : System.getProperty("user.name", "user");
        try (ClassicConnection connection = ClassicConnection.open(address, username, Duration.ofSeconds(timeoutSeconds))) {
            err.println("connected to " + server + " (classic profile); type messages, /help for commands");
            Thread receiver = new Thread(() -> printIncoming(connection), "ciphergram-receiver");
            receiver.setDaemon(true);
            receiver.start();
            sendLines(connection);
            connection.sendText("/quit");
            return 0;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private void sendLines(ClassicConnection connection) throws IOException, InterruptedException {
        TokenBucket pace = new TokenBucket(rate, burst, System.nanoTime());
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            long wait;
            while ((wait = pace.nanosUntilToken(System.nanoTime())) > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            pace.tryTake(System.nanoTime());
            connection.sendText(line);
            if (line.strip().equalsIgnoreCase("/quit")) {
                return;
            }
        }
    }

    private void printIncoming(ClassicConnection connection) {
        while (true) {
            try {
                String text = connection.receiveText();
                synchronized (out) {
                    out.println(text);
                }
            } catch (CryptoFailure e) {
                err.println("warning: dropped a datagram that did not decrypt");
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                err.println("error: " + e.getMessage());
                return;
            }
        }
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("--server must be HOST:PORT, got " + hostPort);
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
