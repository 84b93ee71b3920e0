package io.ciphergram.cli.bench;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;

/**
 * The deliveries one receive lane has counted in the current step: each (message, recipient) once, with its
 * latency. A lane's clients are served by one thread (UDP) or a few (WebSocket callbacks), so the tally is
 * guarded by its own lock, which the orchestrating thread also takes to read and reset it between steps.
 */
final class DeliveryTally {

    /** What a step's tally came to. */
    record Counts(long delivered, long duplicates, long misrouted) {
    }

    private final BenchText format;
    private final MeasureWindow window;
    private final int clients;
    private final int senders;
    /** Every delivery of this run's messages, measured or not: for the progress line. */
    private final LongAdder seen;
    /** Measured deliveries across all lanes: the drain stops early once they are all in. */
    private final LongAdder measured;
    private final BenchText.Parsed parsed = new BenchText.Parsed();
    private final Histogram latency = Latency.newHistogram();
    /** Per recipient, which measured messages (offset from the window's start) it has had. */
    private final BitSet[] received;
    private long windowFrom = Long.MIN_VALUE;
    private long delivered;
    private long duplicates;
    private long misrouted;

    /** @param senders the first clients, which send in turn: message {@code seq} is client {@code seq mod senders}'s */
    DeliveryTally(BenchText format, MeasureWindow window, int clients, int senders, LongAdder seen, LongAdder measured) {
        this.format = format;
        this.window = window;
        this.clients = clients;
        this.senders = senders;
        this.seen = seen;
        this.measured = measured;
        this.received = new BitSet[clients];
    }

    /**
     * Counts a text delivered to client {@code recipient} at {@code nowNanos} (the run's clock) if it is
     * one of this run's messages.
     *
     * @return false if it is not (a notice, or anything else the relay sent)
     */
    synchronized boolean accept(int recipient, byte[] text, long nowNanos) {
        if (!format.parse(text, 0, text.length, parsed)) {
            return false;
        }
        seen.increment();
        long from = window.from();
        if (!window.contains(from, parsed.seq)) {
            return true;
        }
        if (from != windowFrom) { // a new step: forget the last one's messages
            windowFrom = from;
            Arrays.fill(received, null);
        }
        if (parsed.client == recipient || parsed.seq % senders != parsed.client) {
            misrouted++;
            return true;
        }
        BitSet had = received[recipient];
        if (had == null) {
            had = received[recipient] = new BitSet();
        }
        int offset = (int) (parsed.seq - from);
        if (had.get(offset)) {
            duplicates++;
            return true;
        }
        had.set(offset);
        delivered++;
        measured.increment();
        latency.recordValue(Math.min(Math.max(0, nowNanos - parsed.sentNanos), Latency.HIGHEST_TRACKABLE_NANOS));
        return true;
    }

    /** The step's counts, added into {@code histogram}; then starts afresh. */
    synchronized Counts drainInto(Histogram histogram) {
        histogram.add(latency);
        Counts counts = new Counts(delivered, duplicates, misrouted);
        latency.reset();
        delivered = 0;
        duplicates = 0;
        misrouted = 0;
        windowFrom = Long.MIN_VALUE;
        Arrays.fill(received, null);
        return counts;
    }
}
