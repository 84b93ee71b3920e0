package io.ciphergram.relay;

import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * The handshake workers for an engine driven by a test: work runs inline (as {@link Offload#DIRECT}) until
 * {@link #defer()}, after which it waits until the test calls {@link #finish()}, as a key reply that is
 * still being made on a worker while more datagrams arrive.
 */
final class DeferredOffload implements Offload {

    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private boolean deferred;

    /** From now on work waits for {@link #finish()}. */
    void defer() {
        deferred = true;
    }

    /** Runs every waiting piece of work and its outcome, oldest first, on the test's (relay) thread. */
    void finish() {
        while (!waiting.isEmpty()) {
            waiting.removeFirst().run();
        }
    }

    int waiting() {
        return waiting.size();
    }

    @Override
    public <T> boolean submit(Callable<T> work, Consumer<T> done, Consumer<Exception> failed) {
        if (!deferred) {
            return DIRECT.submit(work, done, failed);
        }
        waiting.addLast(() -> DIRECT.submit(work, done, failed));
        return true;
    }
}
