package io.ciphergram.relay;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;

/** Every datagram the relay does not use is counted by reason and told to the logs: peer and reason, never content. */
final class Drops {

    private final Counters counters;
    private final RelayEvents events;

    Drops(Counters counters, RelayEvents events) {
        this.counters = counters;
        this.events = events;
    }

    void drop(PeerId from, DropReason reason) {
        counters.dropped(reason);
        events.dropped(from, reason);
    }
}
