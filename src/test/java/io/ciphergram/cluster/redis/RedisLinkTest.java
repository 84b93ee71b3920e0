package io.ciphergram.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.ciphergram.cluster.ClusterLink;
import io.ciphergram.cluster.ClusterSettings;
import io.ciphergram.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/**
 * The lines' stream of {@link RedisLink} against a real {@code redis-server}, in either protocol: a reader
 * gets what was appended, in order, once; and when its connections are killed it reads on from where it
 * left off, including what was appended while it was away.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisLinkTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private RedisServer server;
    private Vertx vertx;
    private RedisLink writer;
    private RedisLink reader;
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final AtomicInteger readerUps = new AtomicInteger();

    @BeforeEach
    void startRedis() throws Exception {
        server = RedisServer.start();
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        for (RedisLink link : new RedisLink[] {writer, reader}) {
            if (link != null) {
                link.close(Duration.ofSeconds(2));
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        server.close();
    }

    private RedisLink link(String id, ProtocolVersion protocol, ClusterLink.Events events) {
        Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url())
                .setPreferredProtocolVersion(protocol));
        RedisLink link = new RedisLink(vertx, redis, new ClusterSettings("t", id, Duration.ofSeconds(2), Duration.ofSeconds(10)),
                "test");
        link.start(events);
        return link;
    }

    private void start(ProtocolVersion protocol) {
        AtomicInteger writerUps = new AtomicInteger();
        writer = link("w", protocol, events(writerUps, bytes -> {
        }));
        reader = link("r", protocol, events(readerUps, bytes -> heard.add(new String(bytes, StandardCharsets.UTF_8))));
        await().atMost(WAIT).until(() -> writer.up() && reader.up());
        // the reader has found where the stream ends once a line appended now reaches it
        await().atMost(WAIT).until(() -> {
            append("probe");
            return heard.contains("probe");
        });
        append("fence"); // after every probe, in the stream's order
        await().atMost(WAIT).until(() -> heard.contains("fence"));
        heard.clear();
    }

    private static ClusterLink.Events events(AtomicInteger ups, java.util.function.Consumer<byte[]> received) {
        return new ClusterLink.Events() {
            @Override
            public void up() {
                ups.incrementAndGet();
            }

            @Override
            public void down() {
            }

            @Override
            public void received(byte[] message) {
                received.accept(message);
            }
        };
    }

    /** As the relay thread would: append, then flush at the end of the turn. */
    private void append(String line) {
        writer.append(line.getBytes(StandardCharsets.UTF_8));
        writer.flush();
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void aReaderGetsEveryLineInOrderOnce(ProtocolVersion protocol) throws Exception {
        start(protocol);
        int count = 3 * RedisLink.READ_BATCH / 2; // more than one read
        for (int i = 0; i < count; i++) {
            append("line " + i);
        }
        await().atMost(WAIT).until(() -> heard.size() >= count);
        assertThat(heard).containsExactlyElementsOf(java.util.stream.IntStream.range(0, count).mapToObj(i -> "line " + i).toList());
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void aReaderWhoseConnectionsAreKilledReadsOnFromWhereItLeftOff(ProtocolVersion protocol) throws Exception {
        start(protocol);
        append("before");
        await().atMost(WAIT).until(() -> heard.contains("before"));
        int ups = readerUps.get();
        for (String type : new String[] {"pubsub", "normal"}) {
            server.cli("CLIENT", "KILL", "TYPE", type);
            // what another instance appends while this reader reconnects
            server.cli("XADD", "ciphergram:t:lines", "*", "m", "while " + type + " was killed");
        }
        await().atMost(WAIT).until(() -> readerUps.get() > ups && reader.up() && writer.up());
        await().atMost(WAIT).until(() -> heard.size() >= 3);
        append("after");
        await().atMost(WAIT).until(() -> heard.contains("after"));
        assertThat(heard).containsExactly("before", "while pubsub was killed", "while normal was killed", "after");
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP3"})
    void killedAgainAndAgainEvenWhileConnectingTheLinksComeBackWholeAndMissNothing(ProtocolVersion protocol) throws Exception {
        start(protocol);
        List<String> added = new CopyOnWriteArrayList<>();
        AtomicInteger rounds = new AtomicInteger();
        // about every 150 ms for 6 s: some kills land while a link is still connecting (it retries every 1 s)
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(150)).until(() -> {
            int round = rounds.incrementAndGet();
            server.cli("CLIENT", "KILL", "TYPE", round % 2 == 0 ? "normal" : "pubsub");
            String line = "between kills " + round;
            server.cli("XADD", "ciphergram:t:lines", "*", "m", line);
            added.add(line);
            return round >= 40;
        });
        await().atMost(WAIT).until(() -> reader.up() && writer.up());
        await().atMost(WAIT).until(() -> heard.containsAll(added));
        append("after the storm");
        await().atMost(WAIT).until(() -> heard.contains("after the storm"));
        assertThat(heard).containsExactlyElementsOf(concat(added, "after the storm"));
    }

    private static List<String> concat(List<String> first, String last) {
        List<String> all = new java.util.ArrayList<>(first);
        all.add(last);
        return all;
    }
}
