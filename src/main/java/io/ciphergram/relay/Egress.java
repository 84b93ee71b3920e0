package io.ciphergram.relay;

import io.ciphergram.protocol.PeerId;

/** A transport's sending side: the relay hands it whole datagrams for one of its peers. */
@FunctionalInterface
public interface Egress {

    /** Sends without blocking; failures are the transport's to count. */
    void send(PeerId to, byte[] datagram);
}
