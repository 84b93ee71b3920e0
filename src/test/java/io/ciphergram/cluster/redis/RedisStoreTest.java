package io.ciphergram.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.ciphergram.store.HistoryLine;
import io.ciphergram.store.Store;
import io.ciphergram.store.StoreContract;
import io.ciphergram.store.StorePolicy;
import io.ciphergram.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/**
 * The contract against a real {@code redis-server} on loopback (one for the class); each store gets a cluster
 * name, hence a key prefix, of its own.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisStoreTest extends StoreContract {

    private static RedisServer server;
    private static Vertx vertx;
    private static Redis redis;
    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private String cluster;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.start();
        vertx = Vertx.vertx();
        redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url()));
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Store open(StorePolicy policy, Executor callbacks, LongSupplier millis) {
        cluster = "contract" + CLUSTERS.incrementAndGet();
        return new RedisStore(redis, cluster, policy, callbacks, millis);
    }

    @Test
    void everyKeyIsUnderTheClustersStorePrefixAndTheEnvelopeIsStoredAsSealed() throws Exception {
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
        await(() -> store.mailboxes().deposit("alice", "bob", envelope("sealed bytes"), clock.get()));
        await(() -> store.history().append(line("#lobby", 1)));

        var keys = redis.send(Request.cmd(Command.KEYS).arg("*" + cluster + ":*")).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        keys.forEach(k -> assertThat(k.toString()).startsWith("ciphergram:" + cluster + ":store:"));
        assertThat(keys.size()).isGreaterThanOrEqualTo(5);
        var entry = redis.send(Request.cmd(Command.LINDEX).arg("ciphergram:" + cluster + ":store:mbox:alice").arg(0))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(entry.toString()).endsWith(":bobsealed bytes");
    }

    @Test
    void twoInstancesShareOneStore() throws Exception {
        Store other = new RedisStore(redis, cluster, POLICY, relay, clock::get);
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));

        assertThat(await(() -> other.bindings().bindIfFree("alice", MALLORY_KEY, clock.get())).ownedBy(ALICE_KEY)).isTrue();
        await(() -> other.history().append(new HistoryLine(1, "#lobby", "bob", "hi", clock.get())));
        assertThat(await(() -> store.history().recent("#lobby", 10))).extracting(HistoryLine::text).containsExactly("hi");
    }

    @Test
    void linesWithIdsBeyondWhatADoubleHoldsStillOrder() {
        long big = (1L << 60) + 1;
        await(() -> store.history().append(line("#lobby", big)));
        await(() -> store.history().append(line("#lobby", big - 1))); // smaller by one: ignored

        assertThat(await(() -> store.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(big);
        assertThat(await(() -> store.history().lastId("#lobby"))).isEqualTo(big);
        assertThat(await(() -> store.history().after("#lobby", big - 1, 10))).hasSize(1);
    }

    @Test
    void linesAskedBackToBackArriveInTheOrderAsked() throws Exception {
        Store roomy = openAnother(new StorePolicy(200, POLICY.historyAge(), 3, POLICY.mailboxAge(), POLICY.bindingsUnusedFor()));

        await(() -> {
            for (long id = 1; id < 200; id++) {
                roomy.history().append(line("#lobby", id)); // not waiting: the relay does not either
            }
            return roomy.history().append(line("#lobby", 200));
        });

        assertThat(await(() -> roomy.history().after("#lobby", 0, 500))).extracting(HistoryLine::id)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
    }

    @Test
    void aRestartedRedisIsUsedAgainWithItsScriptsLoadedAnew() throws Exception {
        await(() -> store.history().append(line("#lobby", 1)));

        server.stop();
        server.restart(); // empty, scripts and all

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(await(() -> store.history().lastId("#lobby").exceptionally(e -> -1L))).isZero());
        await(() -> store.history().append(line("#lobby", 2)));
        assertThat(await(() -> store.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(2L);
    }
}
