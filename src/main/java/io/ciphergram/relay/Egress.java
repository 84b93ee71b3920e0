package io.ciphergram.relay;

import io.ciphergram.protocol.PeerId;

/** A transport's sending side: the relay hands it whole datagrams for its peers, on the relay thread. */
public interface Egress {

    /** Sends without blocking (or hands it to the I/O thread that will); failures are the transport's to count. */
    void send(PeerId to, byte[] datagram);

    /**
     * Bytes the transport holds for its peers and has not yet written (a connection's write queue), counted
     * in the v2 memory budget. Any thread.
     */
    default long heldBytes() {
        return 0;
    }

    /**
     * The relay ended this peer's session (it quit or closed, went idle or was given up). A connection
     * transport closes the connection; a datagram transport has nothing to do.
     */
    default void ended(PeerId peer) {
    }
}
