package io.ciphergram.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The process {@code EmbeddedStoreTest} kills: appends lines 1, 2, 3 … to {@code #lobby} in the store in
 * {@code args[0]}, 16 in flight, and prints {@code kept N} once line N's stage has completed, until killed.
 */
public final class EmbeddedStoreCrashChild {

    static final StorePolicy KEEP_ALL = new StorePolicy(1_000_000, Duration.ofDays(1), 10, Duration.ofDays(1), Duration.ofDays(1));

    private EmbeddedStoreCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        ExecutorService relay = Executors.newSingleThreadExecutor();
        EmbeddedStore store = EmbeddedStore.open(Path.of(args[0]), KEEP_ALL, relay, System::currentTimeMillis);
        Semaphore inFlight = new Semaphore(16);
        for (long id = 1;; id++) {
            inFlight.acquire();
            long n = id;
            store.history().append(new HistoryLine(n, "#lobby", "alice", "line " + n, System.currentTimeMillis()))
                    .whenComplete((v, e) -> {
                        System.out.println(e == null ? "kept " + n : "failed " + n);
                        System.out.flush();
                        inFlight.release();
                    });
        }
    }
}
