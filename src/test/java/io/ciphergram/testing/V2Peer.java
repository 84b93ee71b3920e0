package io.ciphergram.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import io.ciphergram.cli.V2Connection;
import io.ciphergram.cli.KnownServers;

/** A v2 client for tests: connects over real UDP (optionally through a proxy) and collects every line. */
public final class V2Peer extends ChatPeer<V2Connection> {

    private V2Peer(V2Connection connection) {
        super(connection);
    }

    /** Joins, trusting the server on first use in a per-test known_servers file. */
    public static V2Peer join(InetSocketAddress server, String name, Path knownServers) throws IOException {
        KnownServers store = new KnownServers(knownServers);
        String hostPort = server.getHostString() + ":" + server.getPort();
        return new V2Peer(V2Connection.open(server, name, Duration.ofSeconds(10), trustOnFirstUse(store, hostPort)));
    }

    /** Joins through the WebSocket gateway at {@code gateway} ({@code ws://HOST:PORT/ws}). */
    public static V2Peer join(URI gateway, String name, Path knownServers) throws IOException {
        KnownServers store = new KnownServers(knownServers);
        String hostPort = gateway.getHost() + ":" + gateway.getPort();
        return new V2Peer(V2Connection.open(new V2Connection.Target.Gateway(gateway), name,
                V2Connection.Options.once(Duration.ofSeconds(10)), trustOnFirstUse(store, hostPort)));
    }

    public static V2Peer join(int port, String name, Path knownServers) throws IOException {
        return join(new InetSocketAddress("127.0.0.1", port), name, knownServers);
    }

    private static V2Connection.Trust trustOnFirstUse(KnownServers store, String hostPort) {
        return presented -> {
            if (store.check(hostPort, presented) == KnownServers.Trust.MISMATCH) {
                throw new IOException("fingerprint mismatch");
            }
        };
    }

    @Override
    protected void receiveLoop() {
        try {
            String line;
            while ((line = connection.receiveText()) != null) {
                received.add(line);
            }
        } catch (IOException e) {
            received.add("<failed: " + e.getMessage() + ">");
        }
    }
}
