package io.ciphergram.session;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import io.ciphergram.protocol.Source;
import io.ciphergram.protocol.v2.ReliableReceiver;

/**
 * The bytes v2 sessions together may hold ({@code ciphergram.v2.memory-budget}), counted at their real sizes
 * and shared out, so that no one source can take what the others need:
 * <ul>
 *   <li><b>outbound</b> (lines queued for a recipient and fragments sent but not acknowledged) may use the
 *       whole budget: refusing one loses a line;</li>
 *   <li><b>inbound</b> (fragments received early and incomplete messages) may use at most half of it: a
 *       fragment that is not held is simply not acknowledged, and its sender sends it again;</li>
 *   <li>each <b>source</b> (IPv4 address or IPv6 /64) may hold at most a sixteenth of the budget, both kinds
 *       together; each <b>session</b>'s own share is what the protocol bounds it to (a send queue of
 *       256 KiB and a window of 64 fragments out; 64 early fragments and 128 KiB of reassembly in).</li>
 * </ul>
 * A source over its share loses its own early and incomplete fragments and its own lines; everyone
 * else's go on. Each session's holding is measured after every change to its channel ({@link Holder#measure})
 * and given back when it ends. Bytes a transport holds for its peers (the WebSocket gateway's write queues)
 * count against the budget too ({@link #countAlso}). Relay-thread state; {@link #used()} and
 * {@link #refusals()} may be read from any thread.
 */
public final class MemoryBudget {

    /** The part of the budget one source may hold: 1/16. */
    public static final int SOURCE_SHARE_DIVISOR = 16;

    private final long limit;
    private final long inboundLimit;
    private final long sourceShare;
    private final Map<Source, long[]> bySource = new HashMap<>();
    private LongSupplier elsewhere = () -> 0;
    private volatile long used;
    private volatile long inboundUsed;
    private volatile long refusals;

    public MemoryBudget(long limit) {
        this.limit = limit;
        this.inboundLimit = limit / 2;
        this.sourceShare = Math.max(1, limit / SOURCE_SHARE_DIVISOR);
    }

    /** Bytes held outside the sessions' channels, for their peers (a transport's write queues): counted as used. */
    public void countAlso(LongSupplier heldByTransports) {
        this.elsewhere = heldByTransports;
    }

    /** The share of one session of {@code source}. */
    public Holder holder(Source source) {
        return new Holder(source);
    }

    /** Messages and fragments refused because a share or the budget was spent (for the metrics). */
    public long refusals() {
        return refusals;
    }

    /** Bytes held, by every session and the transports. */
    public long used() {
        return used + elsewhere.getAsLong();
    }

    /** Bytes held inbound (early fragments, incomplete messages). */
    public long inboundUsed() {
        return inboundUsed;
    }

    public long limit() {
        return limit;
    }

    /** What one source may hold. */
    public long sourceShare() {
        return sourceShare;
    }

    /** What {@code source} holds now. */
    public long heldBy(Source source) {
        long[] n = bySource.get(source);
        return n == null ? 0 : n[0];
    }

    private boolean refuse() {
        refusals++;
        return false;
    }

    /**
     * One session's part: it asks before it holds more, and is measured after every change. It is the
     * receiver's {@link ReliableReceiver.HoldGate}.
     */
    public final class Holder implements ReliableReceiver.HoldGate {

        private final Source source;
        private long inbound;
        private long outbound;

        private Holder(Source source) {
            this.source = source;
        }

        /** Whether a fragment of {@code bytes} may be held (received early, or part of a longer message). */
        @Override
        public boolean mayHold(int bytes) {
            if (inboundUsed + bytes > inboundLimit || used() + bytes > limit || heldBy(source) + bytes > sourceShare) {
                return refuse();
            }
            return true;
        }

        /** Whether a line of {@code bytes} may be queued for this session's peer. */
        public boolean mayQueue(int bytes) {
            if (used() + bytes > limit || heldBy(source) + bytes > sourceShare) {
                return refuse();
            }
            return true;
        }

        /** What its channel holds now, in and out; call after any change to the channel. */
        public void measure(long inboundNow, long outboundNow) {
            adjust(inboundNow - inbound, outboundNow - outbound);
            inbound = inboundNow;
            outbound = outboundNow;
        }

        /** The session ended: everything it held is given back. */
        public void release() {
            adjust(-inbound, -outbound);
            inbound = 0;
            outbound = 0;
        }

        private void adjust(long inboundDelta, long outboundDelta) {
            long delta = inboundDelta + outboundDelta;
            if (delta == 0 && inboundDelta == 0) {
                return;
            }
            used += delta;
            inboundUsed += inboundDelta;
            long[] n = bySource.computeIfAbsent(source, s -> new long[1]);
            n[0] += delta;
            if (n[0] == 0) {
                bySource.remove(source);
            }
        }
    }
}
