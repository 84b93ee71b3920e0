package io.ciphergram.cli.link;

/**
 * A client's path to one server, carrying whole datagrams each way: UDP (the console client's
 * {@code DatagramLink}, the load generator's non-blocking sockets) or, through the server's WebSocket gateway,
 * one binary message per datagram ({@link WebSocketLink}, for both). What arrives is handed to a
 * {@link Receiver} on the link's own receive thread; the protocol code above is the same either way.
 */
public interface Link extends AutoCloseable {

    /** Where a link hands what arrives, on the link's receive thread. */
    interface Receiver {

        void onDatagram(byte[] datagram);

        /** The link has ended (closed by either end, or failed) and nothing more will arrive; {@code why} is for the user. */
        void onClosed(String why);
    }

    /**
     * Hands one datagram to the transport, which does not change the array (a handshake resends the same one).
     *
     * @return false if the transport would not take it (closed, or its queue full): as good as lost
     */
    boolean send(byte[] datagram);

    /** Closes the link; the receiver hears {@link Receiver#onClosed} unless it already has. */
    @Override
    void close();
}
