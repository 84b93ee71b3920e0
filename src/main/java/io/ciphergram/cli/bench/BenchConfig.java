package io.ciphergram.cli.bench;

import java.net.InetSocketAddress;
import java.net.URI;

import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.v2.V2Constants;

/**
 * A run's settings, checked once ({@code BenchCommand} turns the command line into one).
 *
 * @param server the server's UDP address; null for the plain baseline, or with a gateway and no idle sessions
 * @param gateway the WebSocket gateway ({@code ws://HOST:PORT/ws}) for transport ws, else null
 * @param rate messages per second offered, in total across clients (the start rate with find-capacity)
 * @param size bytes of text per message, as sent (the relay adds {@code NAME: })
 * @param idleSessions sessions that only shake hands, over UDP from many loopback sources
 * @param stepFactor find-capacity: each step offers this many times the previous step's rate
 * @param maxLossPercent find-capacity: the loss a step may have and still count
 * @param maxP99Millis find-capacity: the p99 latency a step may have and still count; infinite for no bound
 * @param senders how many clients send (the first ones); the others only receive
 * @param room the room the clients join before the run ({@code --room}, {@code #bench}), so that the load stays
 *        out of everyone else's; {@code #lobby} keeps them where everyone is
 * @param receiveServer where the clients that only receive connect (another instance of the server's
 *        cluster), or null: to the server, like the senders
 * @param serverPid the server's process on this host, whose CPU each step reports (Linux); 0 if not given
 */
public record BenchConfig(Profile profile, Transport transport, InetSocketAddress server, URI gateway,
        boolean plainBaseline, int clients, double rate, double durationSeconds, double warmupSeconds,
        double drainSeconds, int size, int idleSessions, boolean findCapacity, double stepFactor,
        double maxLossPercent, double maxP99Millis, int maxSteps, int receiveThreads, double timeoutSeconds, int senders,
        InetSocketAddress receiveServer, String room, long serverPid) {

    public enum Profile { CLASSIC, V2 }

    public enum Transport { UDP, WS }

    /** Room left in a classic message for the relay's {@code NAME: } prefix (names are at most 32 characters). */
    private static final int CLASSIC_PREFIX_ROOM = 34;

    public BenchConfig {
        require(clients >= 2, "--clients must be at least 2 (each message goes to the others)");
        require(rate > 0 && Double.isFinite(rate), "--rate must be a positive number of messages per second");
        require(durationSeconds > 0, "--duration must be positive");
        require(warmupSeconds >= 0, "--warmup must not be negative");
        require(drainSeconds >= 0, "--drain must not be negative");
        require(size >= 1, "--size must be at least 1");
        require(idleSessions >= 0, "--idle-sessions must not be negative");
        require(receiveThreads >= 1, "--receive-threads must be at least 1");
        require(timeoutSeconds > 0, "--timeout must be positive");
        require(!findCapacity || stepFactor > 1, "--step-factor must be over 1");
        require(!findCapacity || maxSteps >= 1, "--max-steps must be at least 1");
        require(maxLossPercent >= 0, "--max-loss must not be negative");
        require(maxP99Millis > 0, "--max-p99 must be positive");
        require(senders >= 1 && senders <= clients, "--senders must be from 1 to --clients");
        require(receiveServer == null || senders < clients, "--receive-server needs clients that only receive:"
                + " --senders below --clients");
        require(serverPid >= 0, "--server-pid must be a process id");
        require(serverPid == 0 || !plainBaseline, "--server-pid is for a server: the plain baseline relays in the"
                + " generator's own process");
        require(receiveServer == null || (transport == Transport.UDP && !plainBaseline), "--receive-server is for UDP"
                + " runs against two Ciphergram instances");
        if (plainBaseline) {
            require(profile == Profile.CLASSIC, "the plain baseline sends classic-format datagrams: drop --profile v2");
            require(transport == Transport.UDP, "the plain baseline relays UDP datagrams: drop --transport ws");
            require(idleSessions == 0, "the plain baseline has no handshakes: drop --idle-sessions");
        } else {
            require(transport == Transport.UDP ? server != null : gateway != null, "--server is required");
            require(idleSessions == 0 || server != null, "idle sessions shake hands over UDP: give --server HOST:UDPPORT"
                    + " with --transport ws --http-port PORT");
        }
        require(transport == Transport.UDP || profile == Profile.V2, "the WebSocket gateway speaks v2 only: add --profile v2");
        int maxSize = profile == Profile.CLASSIC ? ClassicCodec.MAX_TEXT_BYTES - CLASSIC_PREFIX_ROOM
                : V2Constants.MAX_MESSAGE - CLASSIC_PREFIX_ROOM;
        require(size <= maxSize, "--size is at most " + maxSize + " bytes for this profile");
    }

    /** Where the clients send: the server's UDP address, its gateway, or (plain) the in-process relay. */
    public String target() {
        if (plainBaseline) {
            return "in-process plain relay";
        }
        return transport == Transport.WS ? gateway.toString() : server.getHostString() + ":" + server.getPort();
    }

    /** Where the clients that only receive connect. */
    public String receiveTarget() {
        return receiveServer == null ? target() : receiveServer.getHostString() + ":" + receiveServer.getPort();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
