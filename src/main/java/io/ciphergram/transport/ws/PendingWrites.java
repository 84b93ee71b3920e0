package io.ciphergram.transport.ws;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the gateway has handed to Vert.x to write and Vert.x has not yet written, per connection and in all.
 * Over TCP a client that stops reading leaves the server's writes queued in memory, and a client that also
 * acknowledges what it never read keeps the relay sending: only this bound stops that. A connection that
 * would hold more than {@code perConnection} is given up rather than buffered for; when all together hold
 * more than {@code total}, the gateway gives up the largest of those that have stalled (nothing of theirs
 * written for a while: a client that reads has its writes done within milliseconds, however much one turn of
 * the relay handed it). Thread-safe: writes are reserved on the relay thread and released on the
 * connections' event loops.
 */
final class PendingWrites {

    /** One connection's writes in flight. */
    static final class Account {
        private long held;
        private boolean closed;
        /** When a write of it last completed, or it last began to hold anything. */
        private long progressNanos;

        synchronized long held() {
            return held;
        }

        /** Whether it holds something and none of it has been written for {@code stallNanos}. */
        synchronized boolean stalled(long nowNanos, long stallNanos) {
            return held > 0 && nowNanos - progressNanos > stallNanos;
        }
    }

    /** Whether a write may be handed over. */
    enum Reservation { GRANTED, OVER_CONNECTION_BOUND, CLOSED }

    private final long perConnection;
    private final long total;
    private final AtomicLong all = new AtomicLong();

    PendingWrites(long perConnection, long total) {
        if (perConnection < 1 || total < perConnection) {
            throw new IllegalArgumentException("pending bounds: " + perConnection + " per connection, " + total + " in all");
        }
        this.perConnection = perConnection;
        this.total = total;
    }

    /** Reserves {@code bytes} for a write to {@code account}'s connection, unless that takes it past its bound. */
    Reservation reserve(Account account, int bytes, long nowNanos) {
        synchronized (account) {
            if (account.closed) {
                return Reservation.CLOSED;
            }
            if (account.held + bytes > perConnection) {
                return Reservation.OVER_CONNECTION_BOUND;
            }
            if (account.held == 0) {
                account.progressNanos = nowNanos;
            }
            account.held += bytes;
        }
        all.addAndGet(bytes);
        return Reservation.GRANTED;
    }

    /** A reserved write completed or failed (or was not made after all). */
    void release(Account account, int bytes, long nowNanos) {
        synchronized (account) {
            account.held -= bytes;
            account.progressNanos = nowNanos;
            if (account.closed) {
                return; // already taken out of the total
            }
        }
        all.addAndGet(-bytes);
    }

    /** The connection is given up or gone: what it still holds is freed with it and counts no more. */
    void close(Account account) {
        long held;
        synchronized (account) {
            if (account.closed) {
                return;
            }
            account.closed = true;
            held = account.held;
        }
        all.addAndGet(-held);
    }

    /** Whether all connections together hold more than the total bound. */
    boolean overTotal() {
        return all.get() > total;
    }

    /** Bytes every open connection holds. */
    long bytes() {
        return all.get();
    }
}
