package io.ciphergram.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import io.ciphergram.cli.V2Connection;
import io.ciphergram.crypto.KnownServers;

/** A v2 client for tests: connects over real UDP (optionally through a proxy) and collects every line. */
public final class V2Peer implements AutoCloseable {

    private final V2Connection connection;
    private final Lines received = new Lines();
    private final Thread receiver;

    private V2Peer(V2Connection connection) {
        this.connection = connection;
        this.receiver = new Thread(this::receiveLoop, "test-v2-peer-receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Joins, trusting the server on first use in a per-test known_servers file. */
    public static V2Peer join(InetSocketAddress server, String name, Path knownServers) throws IOException {
        KnownServers store = new KnownServers(knownServers);
        String hostPort = server.getHostString() + ":" + server.getPort();
        return new V2Peer(V2Connection.open(server, name, Duration.ofSeconds(10), presented -> {
            if (store.check(hostPort, presented) == KnownServers.Trust.MISMATCH) {
                throw new IOException("fingerprint mismatch");
            }
        }));
    }

    public static V2Peer join(int port, String name, Path knownServers) throws IOException {
        return join(new InetSocketAddress("127.0.0.1", port), name, knownServers);
    }

    public V2Connection connection() {
        return connection;
    }

    public void say(String text) throws IOException {
        connection.sendText(text);
    }

    public String awaitLine(Predicate<String> matching) {
        return received.await(matching);
    }

    public String awaitLine(String exact) {
        return received.await(exact);
    }

    public List<String> received() {
        return received.snapshot();
    }

    private void receiveLoop() {
        try {
            String line;
            while ((line = connection.receiveText()) != null) {
                received.add(line);
            }
        } catch (IOException e) {
            received.add("<failed: " + e.getMessage() + ">");
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
