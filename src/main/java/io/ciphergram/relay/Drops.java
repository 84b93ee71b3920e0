package io.ciphergram.relay;

import java.lang.System.Logger.Level;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;

/** Every datagram the relay does not use is counted by reason and logged at debug: peer and reason, never content. */
final class Drops {

    private static final System.Logger LOG = System.getLogger(Drops.class.getName());

    private final Counters counters;

    Drops(Counters counters) {
        this.counters = counters;
    }

    void drop(PeerId from, DropReason reason) {
        counters.dropped(reason);
        LOG.log(Level.DEBUG, () -> "dropped a datagram from " + from + ": " + reason);
    }
}
