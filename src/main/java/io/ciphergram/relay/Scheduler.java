package io.ciphergram.relay;

/** Runs tasks on the relay thread at a deadline ({@code System.nanoTime()} scale). */
public interface Scheduler {

    /** Runs {@code task} on the relay thread at or soon after {@code deadlineNanos}. Never cancelled: tasks check. */
    void at(long deadlineNanos, Runnable task);
}
