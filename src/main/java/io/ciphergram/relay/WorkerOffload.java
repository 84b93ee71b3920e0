package io.ciphergram.relay;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The handshake workers: a small pool with a bounded queue. Outcomes are posted back to the relay thread;
 * work beyond the queue is refused at once (the caller drops and counts the datagram).
 */
public final class WorkerOffload implements Offload, AutoCloseable {

    private final Executor relayThread;
    private final ThreadPoolExecutor pool;

    public WorkerOffload(Executor relayThread, int threads, int queue) {
        this.relayThread = relayThread;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "ciphergram-handshake-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public <T> boolean submit(Callable<T> work, Consumer<T> done, Consumer<Exception> failed) {
        try {
            pool.execute(() -> {
                Runnable outcome;
                try {
                    T result = work.call();
                    outcome = () -> done.accept(result);
                } catch (Exception e) {
                    outcome = () -> failed.accept(e);
                }
                try {
                    relayThread.execute(outcome);
                } catch (RejectedExecutionException stopped) {
                    // the relay is shutting down: nobody is waiting for this handshake any more
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
