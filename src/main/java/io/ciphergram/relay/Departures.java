package io.ciphergram.relay;

import java.util.ArrayList;
import java.util.List;

import io.ciphergram.session.Session;

/**
 * Sessions to end once the current turn's work is done: a recipient given up while a line is being fanned
 * out (its queue stayed full, its peer stopped acknowledging) leaves after the fan-out, so that its leave
 * notice is never broadcast from inside another broadcast and the room's member list is not changed while
 * it is walked. {@link ChatRelay#endOfTurn()} drains it. Relay-thread state.
 */
final class Departures {

    private final List<Session> leaving = new ArrayList<>();

    /** {@code session} is to end at the end of this turn (once, however often this is said). */
    void later(Session session) {
        if (session.open() && !leaving.contains(session)) {
            leaving.add(session);
        }
    }

    /** The sessions to end now, oldest first; the list is empty afterwards. */
    List<Session> take() {
        if (leaving.isEmpty()) {
            return List.of();
        }
        List<Session> now = new ArrayList<>(leaving);
        leaving.clear();
        return now;
    }
}
