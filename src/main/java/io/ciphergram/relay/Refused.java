package io.ciphergram.relay;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.Dropped;

/** A well-formed frame the relay does not act on: no room, over a rate, its peer's state forbids it. */
final class Refused extends Dropped {

    private static final long serialVersionUID = 1L;

    Refused(DropReason reason) {
        super(reason);
    }
}
