package io.ciphergram.crypto;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * When a client makes a new prekey and when it deletes an old one's private half: a pure function of the
 * prekeys it holds and the time, which the console client and the page both call (at start and then
 * now and again). A new prekey every {@link #ROTATE_AFTER}; the prekey it replaces is <em>retired</em> at
 * that moment (senders who fetched it a little earlier, and the relay's mailbox, which keeps a message up
 * to 7 days, still reach it) and its private half is deleted {@link #KEEP_RETIRED} after it was retired.
 * Once deleted, nothing sealed to it can be opened by anyone: coarse forward secrecy, in steps of weeks.
 *
 * <p>The current prekey is the one created last (the highest id among equal times); it is never deleted.
 * A clock that goes backwards makes nothing due and deletes nothing.
 */
public final class PrekeyRotation {

    public static final Duration ROTATE_AFTER = Duration.ofDays(7);
    public static final Duration KEEP_RETIRED = Duration.ofDays(14);

    /** A prekey as far as the schedule cares: its id and when it was made. */
    public record Held(int id, long createdMillis) {
    }

    /**
     * What to do now.
     *
     * @param newPrekeyDue make a new prekey now (created at the time given to {@link #plan}) and publish it
     * @param delete the ids of the prekeys whose private halves to delete now
     */
    public record Plan(boolean newPrekeyDue, List<Integer> delete) {
        public Plan {
            delete = List.copyOf(delete);
        }
    }

    private static final Comparator<Held> OLDEST_FIRST = Comparator.comparingLong(Held::createdMillis)
            .thenComparing(Held::id, Integer::compareUnsigned);

    private PrekeyRotation() {
    }

    public static Plan plan(List<Held> held, long nowMillis) {
        if (held.isEmpty()) {
            return new Plan(true, List.of());
        }
        List<Held> ordered = new ArrayList<>(held);
        ordered.sort(OLDEST_FIRST);
        Held current = ordered.get(ordered.size() - 1);
        boolean due = nowMillis - current.createdMillis() >= ROTATE_AFTER.toMillis();
        List<Integer> delete = new ArrayList<>();
        for (int i = 0; i < ordered.size() - 1; i++) {
            long retiredAt = ordered.get(i + 1).createdMillis();
            if (nowMillis - retiredAt >= KEEP_RETIRED.toMillis()) {
                delete.add(ordered.get(i).id());
            }
        }
        return new Plan(due, delete);
    }

    /** The prekey senders should seal to: the one created last. */
    public static Held current(List<Held> held) {
        return held.stream().max(OLDEST_FIRST).orElseThrow(() -> new IllegalArgumentException("no prekey held"));
    }
}
