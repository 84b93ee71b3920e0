package io.ciphergram.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.ciphergram.protocol.PeerId;

/** The egress of every attached transport, by name: where a datagram for a peer goes out. */
final class Transports {

    private final Map<String, Egress> egress = new ConcurrentHashMap<>();
    private final Counters counters;

    Transports(Counters counters) {
        this.counters = counters;
    }

    void attach(String transport, Egress out) {
        egress.put(transport, out);
    }

    void detach(String transport) {
        egress.remove(transport);
    }

    /** False (and counted) if the peer's transport is gone. */
    boolean send(PeerId to, byte[] datagram) {
        Egress out = egress.get(to.transport());
        if (out == null) {
            counters.sendFailed();
            return false;
        }
        counters.bytesOut(datagram.length);
        out.send(to, datagram);
        return true;
    }

    /** Bytes every transport holds for its peers, not yet written. Any thread. */
    long heldBytes() {
        long held = 0;
        for (Egress out : egress.values()) {
            held += out.heldBytes();
        }
        return held;
    }

    void ended(PeerId peer) {
        Egress out = egress.get(peer.transport());
        if (out != null) {
            out.ended(peer);
        }
    }

}
