package io.ciphergram.protocol.v2;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The receiving half of one direction's reliability: drops sequences already seen, buffers those that come
 * early (up to {@code window} past the cumulative ack), releases fragments in sequence order exactly once,
 * and decides what to acknowledge and when.
 *
 * <p>Ack timing (docs/PROTOCOL.md, "Acks"): an in-order fragment is acked after
 * {@code delayedAckNanos} or with the {@code ackEvery}-th unacked one, whichever comes first; an out-of-order
 * fragment, a duplicate (its ack may have been lost), one beyond the window, or one that fills a gap is acked
 * at once so the sender learns of loss or progress without waiting; the ack of a filled gap is repeated once,
 * after the ack delay. Pure and not thread-safe.
 */
public final class ReceiveWindow {

    /** What became of one Data frame. */
    public enum Outcome {
        /** The next expected sequence: released, with any buffered ones it unblocked. */
        IN_ORDER,
        /** Ahead of a gap, within the window: buffered. */
        OUT_OF_ORDER,
        /** Already released or already buffered: dropped. */
        DUPLICATE,
        /** Too far ahead for the buffer: dropped (an honest sender never does this). */
        BEYOND_WINDOW
    }

    /** The outcome and the fragments now released, in sequence order (empty unless {@link Outcome#IN_ORDER}). */
    public record Receipt(Outcome outcome, List<ReliableFrame.Data> released) {
    }

    private final int window;
    private final int maxAckRanges;
    private final long delayedAckNanos;
    private final int ackEvery;
    /** Fragments that arrived early, by sequence; made at the first (most sessions never reorder). */
    private TreeMap<Long, ReliableFrame.Data> early;
    private long cumulative;
    /** Payload bytes of the fragments held in {@code early}. */
    private long bufferedBytes;
    private int unackedInOrder;
    /** The next ack repeats one that reported a filled gap. */
    private boolean repeatAck;
    private long ackDueAtNanos = Long.MAX_VALUE;
    private final ReliableEvents events;

    public ReceiveWindow() {
        this(ReliableEvents.NONE);
    }

    public ReceiveWindow(ReliableEvents events) {
        this(V2Constants.RECEIVE_WINDOW, V2Constants.MAX_ACK_RANGES, V2Constants.DELAYED_ACK_NANOS,
                V2Constants.ACK_EVERY_FRAGMENTS, events);
    }

    public ReceiveWindow(int window, int maxAckRanges, long delayedAckNanos, int ackEvery, ReliableEvents events) {
        if (window < 1 || maxAckRanges < 0 || delayedAckNanos < 0 || ackEvery < 1) {
            throw new IllegalArgumentException("window and ackEvery must be positive");
        }
        this.window = window;
        this.maxAckRanges = maxAckRanges;
        this.delayedAckNanos = delayedAckNanos;
        this.ackEvery = ackEvery;
        this.events = events;
    }

    public Receipt receive(ReliableFrame.Data data, long nowNanos) {
        long sequence = data.sequence();
        if (sequence < cumulative || early != null && early.containsKey(sequence)) {
            events.on(ReliableEvents.Event.DUPLICATE);
            ackNow(nowNanos);
            return new Receipt(Outcome.DUPLICATE, List.of());
        }
        if (sequence >= cumulative + window) {
            events.on(ReliableEvents.Event.BEYOND_WINDOW);
            ackNow(nowNanos);
            return new Receipt(Outcome.BEYOND_WINDOW, List.of());
        }
        if (sequence > cumulative) {
            if (early == null) {
                early = new TreeMap<>();
            }
            early.put(sequence, data);
            bufferedBytes += data.fragment().payload().length;
            ackNow(nowNanos);
            return new Receipt(Outcome.OUT_OF_ORDER, List.of());
        }
        boolean fillsGap = early != null && !early.isEmpty();
        List<ReliableFrame.Data> released = new ArrayList<>();
        released.add(data);
        cumulative++;
        if (fillsGap) {
            for (ReliableFrame.Data next = early.remove(cumulative); next != null; next = early.remove(cumulative)) {
                bufferedBytes -= next.fragment().payload().length;
                released.add(next);
                cumulative++;
            }
        }
        unackedInOrder++;
        if (fillsGap) {
            ackNow(nowNanos);
            repeatAck = true;
        } else if (unackedInOrder >= ackEvery) {
            ackNow(nowNanos);
        } else {
            ackDueAtNanos = Math.min(ackDueAtNanos, nowNanos + delayedAckNanos);
        }
        return new Receipt(Outcome.IN_ORDER, released);
    }

    /** When an Ack is due; MAX_VALUE when none is. */
    public long ackDueAtNanos() {
        return ackDueAtNanos;
    }

    /** The Ack to send if one is due at {@code nowNanos}; taking it resets the ack timer. */
    public Optional<ReliableFrame.Ack> pollAck(long nowNanos) {
        if (nowNanos < ackDueAtNanos) {
            return Optional.empty();
        }
        // The ack of a filled gap is sent again after the ack delay: the sender's window is likely full and
        // hangs on it, and if it were lost, the sender would learn of the repair only at a backed-off RTO
        // (seconds), since nothing else is in flight to draw an ack.
        ackDueAtNanos = repeatAck ? nowNanos + delayedAckNanos : Long.MAX_VALUE;
        repeatAck = false;
        unackedInOrder = 0;
        return Optional.of(currentAck());
    }

    /**
     * What this side has received: the cumulative ack and the buffered sequences as ranges, lowest first, at
     * most {@code maxAckRanges} of them (the lowest are the ones the sender most needs to hear about).
     */
    public ReliableFrame.Ack currentAck() {
        List<ReliableFrame.AckRange> ranges = new ArrayList<>();
        long first = -1;
        long last = -1;
        for (long s : early == null ? List.<Long>of() : early.keySet()) {
            if (first >= 0 && s == last + 1) {
                last = s;
                continue;
            }
            if (first >= 0) {
                ranges.add(new ReliableFrame.AckRange(first, last));
                if (ranges.size() == maxAckRanges) {
                    return new ReliableFrame.Ack(cumulative, ranges);
                }
            }
            first = s;
            last = s;
        }
        if (first >= 0 && ranges.size() < maxAckRanges) {
            ranges.add(new ReliableFrame.AckRange(first, last));
        }
        return new ReliableFrame.Ack(cumulative, ranges);
    }

    /** The next sequence expected: every one below it has been released. */
    public long cumulative() {
        return cumulative;
    }

    public int bufferedCount() {
        return early == null ? 0 : early.size();
    }

    /** Payload bytes of the fragments that arrived early and wait for the gap before them. */
    public long bufferedBytes() {
        return bufferedBytes;
    }



    private void ackNow(long nowNanos) {
        ackDueAtNanos = Math.min(ackDueAtNanos, nowNanos);
    }
}
