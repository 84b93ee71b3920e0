package io.ciphergram.relay;

import java.util.HashMap;
import java.util.Map;

/**
 * Numbers a room's lines when this instance numbers them itself (alone, or while the link to the other
 * instances is down): each id is above every id the room has seen, here or from elsewhere, and carries the
 * time it was said in its high bits ({@code millis << 20}), so that ids stay increasing across a restart
 * without anything stored (docs/PROTOCOL.md, "App frames": a line's id is the client's cursor).
 * Relay-thread state.
 */
final class LineIds {

    /** Ids a room may take within one millisecond before the next millisecond's ids are borrowed. */
    static final int PER_MILLISECOND_BITS = 20;

    private final Map<String, Long> last = new HashMap<>();

    /** The next id of {@code room} for a line said at {@code nowMillis}. */
    long next(String room, long nowMillis) {
        long id = Math.max(nowMillis << PER_MILLISECOND_BITS, last.getOrDefault(room, 0L) + 1);
        last.put(room, id);
        return id;
    }

    /** {@code room} has a line {@code id} (numbered here or elsewhere): later ones must be above it. */
    void seen(String room, long id) {
        last.merge(room, id, Math::max);
    }

    /** A room without members or history here need not be remembered. */
    void forget(String room) {
        last.remove(room);
    }
}
