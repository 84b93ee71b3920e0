package io.ciphergram.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.stream.Stream;

import io.ciphergram.cluster.redis.RedisStore;
import io.ciphergram.store.EmbeddedStore;
import io.ciphergram.store.HistoryLine;
import io.ciphergram.store.MemoryStore;
import io.ciphergram.store.Store;
import io.ciphergram.store.StorePolicy;
import io.ciphergram.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * What the store costs, Memory vs Embedded vs Redis in one run so that the ratios compare: history appends
 * (100-byte lines) and mailbox deposits (300-byte envelopes), one at a time (the latency a relay turn waits
 * for) and 64 in flight (what the store sustains), plus the bytes each kept item takes (journal bytes for
 * the embedded store, Redis {@code used_memory} for Redis). Not a test: a main, run by hand (docs/BENCHMARKS.md).
 *
 * <pre>
 * ./mvnw -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.ciphergram.bench.StoreCost [ops]
 * </pre>
 */
public final class StoreCost {

    private static final StorePolicy POLICY = new StorePolicy(100, Duration.ofHours(24), 1_000_000, Duration.ofDays(7),
            Duration.ofDays(90));
    private static final String TEXT = "x".repeat(100);
    private static final byte[] ENVELOPE = new byte[300];
    private static final int RECIPIENTS = 100;

    private StoreCost() {
    }

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        Arrays.fill(ENVELOPE, (byte) 0x5a);
        ExecutorService relay = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-relay"));
        Path base = Files.createTempDirectory("storecost");
        System.out.printf("ops per case: %d; embedded store under %s%n", ops, base);
        System.out.printf("%-9s %-8s %-10s %12s %10s %10s%n", "store", "op", "in flight", "ops/s", "p50 us", "p99 us");
        try (RedisServer server = RedisServer.start()) {
            Vertx vertx = Vertx.vertx();
            Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()).setMaxPoolSize(8));
            int[] run = {0};
            for (String kind : new String[] {"memory", "embedded", "redis"}) {
                for (int inFlight : new int[] {1, 64}) {
                    for (String op : new String[] {"append", "deposit"}) {
                        Store store = switch (kind) {
                            case "memory" -> MemoryStore.open(POLICY, relay, System::currentTimeMillis);
                            case "embedded" -> EmbeddedStore.open(base.resolve("run" + run[0]++), POLICY, relay,
                                    System::currentTimeMillis);
                            default -> new RedisStore(redis, "bench" + run[0]++, POLICY, relay, System::currentTimeMillis);
                        };
                        try {
                            measure(kind, op, inFlight, store, ops);
                        } finally {
                            store.close();
                        }
                    }
                }
            }
            sizes(base.resolve("sizes"), redis, relay);
            redis.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            relay.shutdownNow();
            try (Stream<Path> files = Files.walk(base)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static LongFunction<CompletionStage<?>> operation(String op, Store store) throws Exception {
        if (op.equals("append")) {
            return i -> store.history().append(new HistoryLine(i + 1, "#lobby", "alice", TEXT, System.currentTimeMillis()));
        }
        for (int r = 0; r < RECIPIENTS; r++) {
            byte[] key = new byte[32];
            key[0] = (byte) r;
            store.bindings().bindIfFree("user" + r, key, System.currentTimeMillis()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return i -> store.mailboxes().deposit("user" + (i % RECIPIENTS), "alice", ENVELOPE, System.currentTimeMillis());
    }

    private static void measure(String kind, String op, int inFlight, Store store, int ops) throws Exception {
        LongFunction<CompletionStage<?>> call = operation(op, store);
        int warmup = Math.min(1_000, ops / 5);
        run(call, 0, warmup, inFlight);
        long[] nanos = run(call, warmup, ops, inFlight);
        long wall = nanos[nanos.length - 1];
        long[] latencies = Arrays.copyOf(nanos, nanos.length - 1);
        Arrays.sort(latencies);
        System.out.printf("%-9s %-8s %-10d %12.0f %10.1f %10.1f%n", kind, op, inFlight, ops / (wall / 1e9),
                latencies[latencies.length / 2] / 1e3, latencies[(int) (latencies.length * 0.99)] / 1e3);
    }

    /** Latency of each call, then the wall time of all, as the last element. */
    private static long[] run(LongFunction<CompletionStage<?>> call, long from, int count, int inFlight) throws Exception {
        long[] nanos = new long[count + 1];
        Semaphore window = new Semaphore(inFlight);
        CompletableFuture<Void> all = new CompletableFuture<>();
        int[] done = {0};
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            window.acquire();
            int n = i;
            long sent = System.nanoTime();
            call.apply(from + i).whenComplete((v, e) -> { // on the relay thread
                nanos[n] = System.nanoTime() - sent;
                window.release();
                if (e != null) {
                    all.completeExceptionally(e);
                } else if (++done[0] == count) {
                    all.complete(null);
                }
            });
        }
        all.get(5, TimeUnit.MINUTES);
        nanos[count] = System.nanoTime() - start;
        return nanos;
    }

    /** Bytes per kept 100-byte line and 300-byte envelope: journal growth, and Redis used_memory growth. */
    private static void sizes(Path dir, Redis redis, ExecutorService relay) throws Exception {
        int items = 1_000;
        StorePolicy roomy = new StorePolicy(items, Duration.ofHours(24), items, Duration.ofDays(7), Duration.ofDays(90));
        try (EmbeddedStore embedded = EmbeddedStore.open(dir, roomy, relay, System::currentTimeMillis)) {
            Path journal = dir.resolve("store.journal");
            long before = Files.size(journal);
            fill(embedded, items, "journal");
            long lines = Files.size(journal);
            deposit(embedded, items);
            long mail = Files.size(journal);
            System.out.printf("embedded: %.1f journal bytes per 100-byte line, %.1f per 300-byte envelope%n",
                    (lines - before) / (double) items, (mail - lines) / (double) items);
        }
        RedisStore shared = new RedisStore(redis, "sizes", roomy, relay, System::currentTimeMillis);
        long before = usedMemory(redis);
        fill(shared, items, "redis");
        long lines = usedMemory(redis);
        deposit(shared, items);
        long mail = usedMemory(redis);
        System.out.printf("redis: %.1f bytes of used_memory per 100-byte line, %.1f per 300-byte envelope%n",
                (lines - before) / (double) items, (mail - lines) / (double) items);
    }

    private static void fill(Store store, int items, String room) throws Exception {
        for (int i = 1; i <= items; i++) {
            store.history().append(new HistoryLine(i, "#" + room, "alice", TEXT, System.currentTimeMillis()));
        }
        store.history().lastId("#" + room).toCompletableFuture().get(1, TimeUnit.MINUTES);
    }

    private static void deposit(Store store, int items) throws Exception {
        byte[] key = new byte[32];
        store.bindings().bindIfFree("bob", key, System.currentTimeMillis()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < items; i++) {
            store.mailboxes().deposit("bob", "alice", ENVELOPE, System.currentTimeMillis());
        }
        store.mailboxes().count("bob").toCompletableFuture().get(1, TimeUnit.MINUTES);
    }

    private static long usedMemory(Redis redis) throws Exception {
        String info = redis.send(Request.cmd(Command.INFO).arg("memory")).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).toString(StandardCharsets.US_ASCII);
        return info.lines().filter(l -> l.startsWith("used_memory:")).mapToLong(l -> Long.parseLong(l.substring(12).trim()))
                .findFirst().orElseThrow();
    }
}
