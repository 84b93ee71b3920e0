package io.ciphergram.store;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.ciphergram.store.StoreState.Change;

/**
 * The store in memory: what tests use, and a relay configured without a data directory. Nothing survives
 * the process. It answers as {@link StoreState} decides, as {@link EmbeddedStore} does (the contract tests,
 * {@code StoreContract}, hold every implementation to it), and keeps no record of the changes.
 *
 * <p>Any thread may call it; one lock serializes the calls, and each answer is computed at the call and
 * completed on the callback executor.
 */
public final class MemoryStore extends StateStore {

    /** Nothing but the state remembers a change. */
    private static final Consumer<Change> FORGOTTEN = change -> { };

    private final Completions completions;
    private final Object lock = new Object();
    private boolean closed; // guarded by lock

    private MemoryStore(StorePolicy policy, Executor callbacks, LongSupplier millis) {
        super(new StoreState(policy, millis));
        this.completions = new Completions(callbacks);
    }

    /**
     * @param callbacks where every stage completes (in the service, the relay thread)
     * @param millis the time the policy's ages are measured against (epoch milliseconds)
     */
    public static MemoryStore open(StorePolicy policy, Executor callbacks, LongSupplier millis) {
        return new MemoryStore(policy, callbacks, millis);
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    @Override
    <T> CompletionStage<T> submit(Work<T> work) {
        T value;
        synchronized (lock) {
            if (closed) {
                return completions.failed(new IllegalStateException("the store is closed"));
            }
            try {
                value = work.run(FORGOTTEN);
            } catch (RuntimeException | Error e) {
                return completions.failed(e);
            }
        }
        return completions.completed(value);
    }
}
