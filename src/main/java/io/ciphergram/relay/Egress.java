package io.ciphergram.relay;

import io.ciphergram.protocol.PeerId;

/** A transport's sending side: the relay hands it whole datagrams for its peers, on the relay thread. */
public interface Egress {

    /** Sends, or queues for the next {@link #flush}, without blocking; failures are the transport's to count. */
    void send(PeerId to, byte[] datagram);

    /** The relay thread finished a turn: hand whatever was queued to the I/O thread in one batch. */
    default void flush() {
    }

    /**
     * The relay ended this peer's session (it quit or closed, went idle or was given up). A connection
     * transport closes the connection; a datagram transport has nothing to do.
     */
    default void ended(PeerId peer) {
    }
}
