package io.ciphergram.session;

import io.ciphergram.protocol.v2.ReliableReceiver;

/**
 * The bytes all v2 sessions together may hold (send queues, unacknowledged fragments, fragments received
 * early, incomplete messages): {@code ciphergram.v2.memory-budget}. Each session's share is measured after
 * every change to its channel and given back when it ends, so a peer that never acknowledges, or one that
 * holds partial messages, cannot make the server hold more than the budget whatever their number. When it
 * is spent, new messages for v2 recipients are refused (counted) and fragments that would be held are
 * dropped as if lost. Relay-thread state; {@link #used()} may be read from any thread.
 */
public final class MemoryBudget implements ReliableReceiver.HoldGate {

    private final long limit;
    private volatile long used;
    private volatile long refusals;

    public MemoryBudget(long limit) {
        this.limit = limit;
    }

    @Override
    public boolean mayHold(int bytes) {
        if (used + bytes <= limit) {
            return true;
        }
        refusals++;
        return false;
    }

    /** Messages and fragments refused because the budget was spent (for the metrics). */
    public long refusals() {
        return refusals;
    }

    void adjust(long delta) {
        used += delta;
    }

    public long used() {
        return used;
    }

    public long limit() {
        return limit;
    }
}
