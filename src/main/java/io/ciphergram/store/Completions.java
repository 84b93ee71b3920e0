package io.ciphergram.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Completes a store's stages on the executor it was opened with (package documentation, "Threads"), so that
 * whatever the caller chains to a stage runs there too, never on the store's own thread nor on the caller's
 * turn that asked.
 */
final class Completions {

    private final Executor callbacks;

    Completions(Executor callbacks) {
        this.callbacks = callbacks;
    }

    /** A stage for the caller to hold; {@link #complete} or {@link #fail} it later. */
    static <T> CompletableFuture<T> pending() {
        return new CompletableFuture<>();
    }

    /** What the caller gets: it can chain to the stage but not complete it. */
    static <T> CompletionStage<T> view(CompletableFuture<T> pending) {
        return pending.minimalCompletionStage();
    }

    <T> void complete(CompletableFuture<T> pending, T value) {
        post(() -> pending.complete(value));
    }

    void fail(CompletableFuture<?> pending, Throwable failure) {
        post(() -> pending.completeExceptionally(failure));
    }

    <T> CompletionStage<T> completed(T value) {
        CompletableFuture<T> pending = pending();
        complete(pending, value);
        return view(pending);
    }

    <T> CompletionStage<T> failed(Throwable failure) {
        CompletableFuture<T> pending = pending();
        fail(pending, failure);
        return view(pending);
    }

    private void post(Runnable completion) {
        try {
            callbacks.execute(completion);
        } catch (RejectedExecutionException e) {
            // the executor (the relay) has stopped: nobody is left to hear the answer
        }
    }
}
