package io.ciphergram.cli.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The timer thread ({@code ciphergram-bench-ticker}): every millisecond it runs {@link BenchClient#tick}
 * for each client whose {@link BenchClient#wakeAt} has come: handshake retries, and the v2 channels'
 * delayed acks, retransmissions and keepalives. Reading a volatile long per client per millisecond is
 * cheap next to a priority queue that every send would have to update.
 */
final class Ticker implements AutoCloseable {

    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final List<BenchClient> clients;
    private final PrintStream err;
    private final Thread thread;
    private volatile boolean running = true;
    private boolean reportedError;

    Ticker(List<BenchClient> clients, PrintStream err) {
        this.clients = List.copyOf(clients);
        this.err = err;
        this.thread = new Thread(this::run, "ciphergram-bench-ticker");
        thread.setDaemon(true);
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    private void run() {
        while (running) {
            long now = System.nanoTime();
            for (BenchClient client : clients) {
                if (now >= client.wakeAt) {
                    try {
                        client.tick(now);
                    } catch (RuntimeException e) {
                        if (!reportedError) {
                            reportedError = true;
                            err.println("error: a client's timer failed (reported once): " + e);
                        }
                    }
                }
            }
            LockSupport.parkNanos(PERIOD_NANOS);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
