package io.ciphergram.cli;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A client's path to one server, carrying whole datagrams: UDP ({@link DatagramLink}) or, through the
 * server's WebSocket gateway, one binary frame per datagram ({@link WebSocketLink}). The protocol code above
 * it is the same either way.
 */
interface Link extends Closeable {

    void send(byte[] datagram) throws IOException;

    /**
     * The next datagram, or null if none came within {@code timeoutMillis} (0 waits indefinitely).
     *
     * @throws java.net.SocketException once the link is closed
     */
    byte[] receive(int timeoutMillis) throws IOException;

    /** This end's address, as the server sees it on loopback. */
    InetSocketAddress localAddress();

    @Override
    void close();
}
