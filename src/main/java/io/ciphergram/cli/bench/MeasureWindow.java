package io.ciphergram.cli.bench;

/**
 * Which message numbers the current step measures: {@code [from, to)}. The sender opens it before it sends
 * the step's first measured message, bounds it when it has sent the last, and the step closes it when its
 * drain is over; deliveries of messages outside it (warmup, earlier steps) are not counted. Written by
 * the orchestrating thread and the sender, read by every receive thread.
 */
final class MeasureWindow {

    private volatile long from = Long.MAX_VALUE;
    private volatile long to = Long.MAX_VALUE;

    /** Measures every message from {@code first} on, until {@link #bound}. */
    void open(long first) {
        to = Long.MAX_VALUE;
        from = first;
    }

    /** No message from {@code end} on belongs to this step. */
    void bound(long end) {
        to = end;
    }

    void close() {
        from = Long.MAX_VALUE;
        to = Long.MAX_VALUE;
    }

    long from() {
        return from;
    }

    /** Whether message {@code seq} is measured; {@code from} is passed in as the caller read it once. */
    boolean contains(long from, long seq) {
        return seq >= from && seq < to;
    }
}
