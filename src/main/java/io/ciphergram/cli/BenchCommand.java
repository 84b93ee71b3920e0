package io.ciphergram.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.ciphergram.cli.bench.BenchConfig;
import io.ciphergram.cli.bench.BenchReport;
import io.ciphergram.cli.bench.LoadGenerator;
import io.ciphergram.cli.bench.ReportFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ciphergram-cli bench}: a load generator in the manner of {@code nats bench} and
 * {@code redis-benchmark}. It opens {@code --clients} sessions (timing their handshakes), then sends from
 * all of them in turn at {@code --rate} messages a second in total into the one room; the relay sends
 * each message to the other N−1, and the generator decrypts, checks and times every delivery. Each step
 * is a warmup (same rate, not measured), the measured window of {@code --duration} seconds, and a drain
 * of up to {@code --drain} seconds in which the window's messages may still arrive. Loss is
 * {@code 1 − delivered / expected}, expected being the messages sent in the window times N−1, each
 * (message, recipient) counted once. Latency is from the sender's clock in the text to decryption at the
 * recipient. {@code --find-capacity} raises the rate ×{@code --step-factor} per step until a step loses
 * more than {@code --max-loss} percent or the generator cannot keep up, and reports the highest delivered
 * rate within the bound. {@code --baseline plain} runs an in-process relay that forwards every datagram
 * unchanged instead of a Ciphergram server: the ceiling of this machine. Progress goes to stderr once a
 * second (with {@code --find-capacity}, and the time the remaining steps can take at most); the report to
 * stdout. When the server's flood control is what loses messages, the report says so: a v2 server states its
 * limit per session in the handshake, and every server tells a sender it drops "slow down". Each client keeps
 * trying to join until {@code --timeout}. Exit 0 when the run completed (read the warnings), 1 if it could not be
 * set up or the clients did not all join, 2 on bad options. {@code --senders} makes only the first clients
 * send (every message still goes to all N−1 others); with {@code --receive-server} the others connect to
 * a second instance of the same cluster, so every message a receiver gets has crossed between instances.
 *
 * <p>How the generator keeps out of the way: one RSA key pair for all clients; non-blocking sockets, one
 * per client, each on its own loopback source address (127.2.x.y; idle sessions 16 per 127.1.x.y) so
 * that the per-source limits see many users; one sender thread pacing to a deadline schedule; a few
 * receive threads with a Selector each; one timer thread for retries and the v2 channels' acks; no
 * logging per message. It says when it was the limit: sent below 95% of the offered rate, or the kernel
 * dropped datagrams at its own sockets (Linux {@code /proc/net/udp}), and it reports its threads' CPU.
 *
 * <h2>JSON ({@code --json}): one object on stdout</h2>
 * Numbers are JSON numbers (rates per second, times as named), absent values {@code null}; fields are
 * only ever added while {@code version} stays 1.
 * <ul>
 * <li>{@code version} (1), {@code run} (the run's tag, also in every text), {@code profile}
 * ({@code classic}|{@code v2}), {@code transport} ({@code udp}|{@code ws}), {@code baseline}
 * ({@code none}|{@code plain}), {@code target}, {@code serverFingerprint} (v2, else null),
 * {@code clients}, {@code idleSessions}, {@code sizeBytes}, {@code warmupSeconds},
 * {@code durationSeconds}, {@code drainSeconds}, {@code findCapacity}, {@code senders},
 * {@code receiveTarget} (where the clients that only receive connect: {@code target} unless
 * {@code --receive-server})</li>
 * <li>{@code handshakes}, {@code idleHandshakes}: {@code {attempted, completed, failed, seconds,
 * perSecond}} or null (plain baseline; no idle sessions)</li>
 * <li>{@code steps}: an array of step objects; {@code result}: the single step, or with find-capacity the
 * best step (null if none stayed within the loss bound)</li>
 * <li>step object: {@code step}, {@code offeredRate}, {@code achievedRate}, {@code warmupSeconds},
 * {@code durationSeconds}, {@code sent}, {@code expected}, {@code delivered}, {@code duplicates},
 * {@code misrouted}, {@code lossPercent}, {@code deliveredPerSecond}, {@code latencyMicros}
 * ({@code {count, p50, p99, p999, max, mean}}), {@code backpressured} (v2 messages held back by a full
 * send queue), {@code sendFailures}, {@code maxSendLagMillis}, {@code generatorSocketDrops} and
 * {@code serverSocketDrops} (kernel drops at the sockets, -1 if unknown), {@code senderCpuPercent},
 * {@code receiverCpuPercent} (the busiest receive thread), {@code processCpuPercent} (the generator's
 * whole JVM; 100 is one core), {@code generatorLimited}, {@code window} (CPU in the measured window alone:
 * {@code {wallSeconds, generatorCpuPercent, serverCpuPercent, generatorCpuMicrosPerDelivery,
 * serverCpuMicrosPerDelivery, cores, generatorMayLimit}}, the server's figures -1 without
 * {@code --server-pid}), {@code warnings} (strings)</li>
 * <li>{@code capacity}: {@code {deliveredPerSecond, offeredRate, lossPercent, step}} or null;
 * {@code stopReason} (find-capacity, else null); {@code generatorLimited} (any step);
 * {@code undecryptable}; {@code sessionsLost}; {@code floodControlNotices} (the relay's "slow down" notices:
 * its flood control dropped messages of the run); {@code warnings} (the run's and every step's)</li>
 * </ul>
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Load-test a Ciphergram server: N clients in one room, a paced message rate, every delivery"
                + " decrypted and timed.")
public final class BenchCommand implements Callable<Integer> {

    static final int SETUP_FAILED = 1;
    static final int BAD_OPTIONS = 2;

    @Option(names = "--server", description = "HOST:PORT of the server's UDP port, or its gateway ws://HOST:PORT/ws"
            + " (implies --transport ws); not needed with --baseline plain")
    String server;

    @Option(names = "--profile", description = "classic or v2 (default: ${DEFAULT-VALUE})", defaultValue = "classic")
    String profile;

    @Option(names = "--transport", description = "udp, or ws for the WebSocket gateway, v2 only (default: udp)")
    String transport;

    @Option(names = "--http-port", description = "ws: the server's HTTP port when --server is HOST:PORT"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "8080")
    int httpPort;

    @Option(names = "--clients", description = "Clients in the room (default: ${DEFAULT-VALUE})", defaultValue = "10")
    int clients;

    @Option(names = "--rate", description = "Messages per second offered, across all clients; the first step's rate"
            + " with --find-capacity (default: ${DEFAULT-VALUE})", defaultValue = "1000")
    double rate;

    @Option(names = "--duration", description = "Seconds measured per step (default: ${DEFAULT-VALUE})", defaultValue = "5")
    double duration;

    @Option(names = "--warmup", description = "Seconds of traffic at the step's rate before it is measured"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "1")
    double warmup;

    @Option(names = "--drain", description = "Seconds a step waits at most for its last deliveries"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "2")
    double drain;

    @Option(names = "--size", description = "Bytes of text per message (default: ${DEFAULT-VALUE})", defaultValue = "100")
    int size;

    @Option(names = "--idle-sessions", description = "Extra sessions that shake hands and stay silent, over UDP from"
            + " many loopback addresses (default: ${DEFAULT-VALUE})", defaultValue = "0")
    int idleSessions;

    @Option(names = "--baseline", description = "plain: relay through an in-process plain UDP forwarder instead of"
            + " a Ciphergram server, for the ceiling of this machine")
    String baseline;

    @Option(names = "--find-capacity", description = "Raise the rate step by step until loss exceeds --max-loss")
    boolean findCapacity;

    @Option(names = "--step-factor", description = "--find-capacity: each step's rate is the last one's times this"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "1.25")
    double stepFactor;

    @Option(names = "--max-loss", description = "--find-capacity: percent of loss a step may have and count"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "1")
    double maxLoss;

    @Option(names = "--max-p99", description = "--find-capacity: a step counts only if its p99 latency is at most"
            + " this many milliseconds as well (default: no bound; loss alone rewards deep buffers)")
    Double maxP99;

    @Option(names = "--max-steps", description = "--find-capacity: steps at most (default: ${DEFAULT-VALUE})",
            defaultValue = "15")
    int maxSteps;

    @Option(names = "--receive-threads", description = "Threads that receive and decrypt deliveries"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "2")
    int receiveThreads;

    @Option(names = "--timeout", description = "Seconds the handshakes may take in all (default: ${DEFAULT-VALUE})",
            defaultValue = "60")
    double timeout;

    @Option(names = "--senders", description = "How many of the clients send (the others only receive; default: all,"
            + " or half with --receive-server)")
    Integer senders;

    @Option(names = "--receive-server", description = "HOST:PORT of another instance of the server's cluster: the"
            + " clients that only receive connect there, so every message crosses between instances (UDP)")
    String receiveServer;

    @Option(names = "--room", description = "The room the clients chat in, so that the load stays out of everyone"
            + " else's (default: ${DEFAULT-VALUE}; #lobby is where everyone is)", defaultValue = "#bench")
    String room;

    @Option(names = "--server-pid", description = "The server's process id, when it runs on this host (Linux): each"
            + " step reports its CPU per delivery beside the generator's, and says when the generator took the larger"
            + " share of a saturated machine")
    long serverPid;

    @Option(names = "--json", description = "Print the report as one JSON object (fields: see the documentation)")
    boolean json;

    private final PrintStream out;
    private final PrintStream err;

    public BenchCommand() {
        this(new PrintStream(System.out, true, StandardCharsets.UTF_8), new PrintStream(System.err, true, StandardCharsets.UTF_8));
    }

    public BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        BenchConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return BAD_OPTIONS;
        }
        BenchReport report;
        try {
            report = new LoadGenerator(config, err).run();
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return SETUP_FAILED;
        }
        out.print(json ? ReportFormat.json(report) + "\n" : ReportFormat.text(report));
        out.flush();
        return 0;
    }

    /** The options as a checked configuration; the server's address resolved. */
    BenchConfig config() {
        boolean plain = baseline != null;
        if (plain && !baseline.equalsIgnoreCase("plain")) {
            throw new IllegalArgumentException("--baseline takes plain, got " + baseline);
        }
        BenchConfig.Profile chosenProfile = switch (profile.toLowerCase(Locale.ROOT)) {
            case "classic" -> BenchConfig.Profile.CLASSIC;
            case "v2" -> BenchConfig.Profile.V2;
            default -> throw new IllegalArgumentException("--profile is classic or v2, got " + profile);
        };
        URI gateway = server == null ? null : ClientCommand.gateway(server);
        BenchConfig.Transport chosenTransport = transport == null
                ? (gateway != null ? BenchConfig.Transport.WS : BenchConfig.Transport.UDP)
                : switch (transport.toLowerCase(Locale.ROOT)) {
                    case "udp" -> BenchConfig.Transport.UDP;
                    case "ws" -> BenchConfig.Transport.WS;
                    default -> throw new IllegalArgumentException("--transport is udp or ws, got " + transport);
                };
        if (gateway != null && chosenTransport != BenchConfig.Transport.WS) {
            throw new IllegalArgumentException("--server " + server + " is a WebSocket gateway: use --transport ws");
        }
        InetSocketAddress udp = null;
        if (server != null && gateway == null) {
            HostPort hostPort = HostPort.parse(server);
            udp = hostPort.resolve();
            if (udp.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve " + hostPort.host());
            }
            if (chosenTransport == BenchConfig.Transport.WS) {
                gateway = URI.create("ws://" + new HostPort(hostPort.host(), httpPort) + "/ws");
            }
        }
        InetSocketAddress receivers = null;
        if (receiveServer != null) {
            HostPort hostPort = HostPort.parse(receiveServer);
            receivers = hostPort.resolve();
            if (receivers.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve " + hostPort.host());
            }
        }
        if (!room.matches("#[A-Za-z0-9_.-]{1,32}")) {
            throw new IllegalArgumentException("--room " + room + " is not a room: # and 1-32 letters, digits, _ - .");
        }
        int sending = senders != null ? senders : receivers != null ? Math.max(1, clients / 2) : clients;
        return new BenchConfig(chosenProfile, chosenTransport, udp, gateway, plain, clients, rate, duration, warmup,
                drain, size, idleSessions, findCapacity, stepFactor, maxLoss,
                maxP99 == null ? Double.POSITIVE_INFINITY : maxP99, maxSteps, receiveThreads, timeout, sending,
                receivers, benchRoom(), serverPid);
    }

    private String benchRoom() {
        return room.toLowerCase(java.util.Locale.ROOT);
    }
}
