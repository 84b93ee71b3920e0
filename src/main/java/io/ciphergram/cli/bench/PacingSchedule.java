package io.ciphergram.cli.bench;

/**
 * When each message is due: message {@code k} (from 0) at {@code start + k·10⁹/rate} nanoseconds, computed
 * from {@code k} itself rather than by adding intervals, so the schedule never drifts however long it runs.
 * A sender that falls behind sends what is due at once and so catches up on average; one that cannot shows
 * it as a count of due messages it has not sent ({@link #lagNanos}). Pure.
 */
public final class PacingSchedule {

    private static final double NANOS_PER_SECOND = 1e9;

    private final long startNanos;
    private final double intervalNanos;

    public PacingSchedule(long startNanos, double messagesPerSecond) {
        if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond)) {
            throw new IllegalArgumentException("a rate is a positive number of messages per second, got " + messagesPerSecond);
        }
        this.startNanos = startNanos;
        this.intervalNanos = NANOS_PER_SECOND / messagesPerSecond;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The time message {@code k} is due. */
    public long deadline(long k) {
        return startNanos + (long) (k * intervalNanos);
    }

    /** How many messages are due at {@code nowNanos}: those whose deadline is at or before it. */
    public long dueBy(long nowNanos) {
        return firstAfter(nowNanos, false);
    }

    /** How many messages are due strictly before {@code nanos}: the index of the first one due at or after it. */
    public long countBefore(long nanos) {
        return firstAfter(nanos, true);
    }

    /**
     * How late the sender is when it has sent {@code sent} messages by {@code nowNanos}: how long ago the
     * first unsent message fell due, 0 if it is not yet due.
     */
    public long lagNanos(long sent, long nowNanos) {
        return Math.max(0, nowNanos - deadline(sent));
    }

    /** The smallest k whose deadline is after {@code t} (at or after it, if {@code inclusive}). */
    private long firstAfter(long t, boolean inclusive) {
        long k = Math.max(0, (long) ((t - startNanos) / intervalNanos)); // an estimate: deadline()'s rounding decides
        while (k > 0 && !due(k - 1, t, inclusive)) {
            k--;
        }
        while (due(k, t, inclusive)) {
            k++;
        }
        return k;
    }

    private boolean due(long k, long t, boolean strictlyBefore) {
        long deadline = deadline(k);
        return strictlyBefore ? deadline < t : deadline <= t;
    }
}
