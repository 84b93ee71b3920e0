package io.ciphergram.cli.bench;

/**
 * One simulated client's path to the server: whole datagrams out. What comes back is handed to the
 * client's {@link BenchClient#onDatagram} by the transport's receive side ({@link DatagramLanes} for UDP,
 * {@link WebSocketEndpoint}'s listener for the gateway).
 */
interface Endpoint extends AutoCloseable {

    /**
     * Sends one datagram; the array is the endpoint's from then on.
     *
     * @return false if it could not be handed to the transport (counted by the caller)
     */
    boolean send(byte[] datagram);

    @Override
    void close();
}
