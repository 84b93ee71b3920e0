package io.ciphergram.cluster.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.ciphergram.cluster.ClusterLink;
import io.ciphergram.cluster.ClusterSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The cluster's store and bus in Redis ({@link RedisScripts} lists the keys): the Redis client that
 * Quarkus configures from {@code quarkus.redis.*}, two connections of it held open, one for commands and
 * one subscribed to this instance's channels.
 *
 * <h2>Threads</h2>
 * One Vert.x event loop, this link's {@link Context}, owns both connections and everything below: it
 * connects, sends, receives and reconnects. The relay thread only queues requests ({@link #flush} then
 * asks the event loop to send them, once per relay turn); results complete, and messages from the bus
 * are handed to {@link ClusterLink.Events}, on the event loop, and the cluster node moves them to the relay
 * thread.
 *
 * <h2>Lines</h2>
 * Room lines go to a stream ({@code ciphergram:CLUSTER:lines}, {@code XADD} trimmed to about
 * {@link #STREAM_LENGTH} entries), and after every relay turn that added some, one empty message on the
 * channel {@code ciphergram:CLUSTER:lines:new} says so. Each instance reads the stream with {@code XRANGE}
 * from the id of the last entry it read: when told, once a second in case a nudge was lost, and when it
 * connects again, so an outage delays its lines and loses none (as long as the stream still holds them).
 * At the first connection it starts after the stream's newest entry. One read is on its way at a time;
 * nothing blocks a connection.
 *
 * <h2>Failures</h2>
 * A lost connection, or a reply that has not come within {@link #STALL}, takes the link down: both
 * connections are closed, every request still waiting fails, and a new connection is tried every
 * {@link #RETRY} until one works. Requests queued while the link is down fail at once. One try at
 * connecting runs at a time; a try that loses one of its connections before it is done, or takes over
 * {@link #STALL}, is given up (it closes what it made) and the next starts a {@link #RETRY} later, so the
 * link is never up on a broken connection.
 */
public final class RedisLink implements ClusterLink {

    private static final Logger LOG = Logger.getLogger(RedisLink.class);
    /** Between connection attempts. */
    static final Duration RETRY = Duration.ofSeconds(1);
    /** A request unanswered for this long means the connection is stuck. */
    static final Duration STALL = Duration.ofSeconds(5);
    /** About how many lines the stream keeps (trimmed with {@code MAXLEN ~}). */
    public static final int STREAM_LENGTH = 10_000;
    /** Entries read at once. */
    static final int READ_BATCH = 256;

    private record Queued(Request request, CompletableFuture<Response> result) {
    }

    private final Vertx vertx;
    private final Redis redis;
    private final ClusterSettings settings;
    private final String where;
    private final String prefix;
    private final String me;
    private final String ttlMillis;
    private final Context context;
    private final Queue<Queued> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Relay thread: a line was appended this turn, so the flush tells the readers. */
    private boolean appended;
    private final String lines;
    private final String nudges;
    private volatile boolean up;
    private volatile boolean closing;
    private Events events;
    // event-loop state
    private RedisConnection commands;
    private RedisConnection subscriber;
    private int inFlight;
    private long lastReplyNanos;
    private boolean wasUp;
    private boolean warned;
    private CompletableFuture<Void> idle;
    private long lastRefusalLog;
    /** The id of the last stream entry read; null until the first connection has found the newest. */
    private String cursor;
    private boolean reading;
    private boolean readAgain;
    /** Raised at every connection, so that what an earlier one answers late changes nothing. */
    private int generation;

    /**
     * @param redis the client Quarkus made from {@code quarkus.redis.*}
     * @param where the Redis address for logs, without its password
     */
    public RedisLink(Vertx vertx, Redis redis, ClusterSettings settings, String where) {
        this.vertx = vertx;
        this.redis = redis;
        this.settings = settings;
        this.where = where;
        this.prefix = "ciphergram:" + settings.name() + ":";
        this.me = settings.instance();
        this.ttlMillis = Long.toString(settings.ttl().toMillis());
        this.lines = prefix + "lines";
        this.nudges = prefix + "lines:new";
        this.context = vertx.getOrCreateContext();
    }

    @Override
    public void start(Events events) {
        this.events = events;
        context.runOnContext(v -> {
            connect();
            vertx.setPeriodic(STALL.toMillis() / 5, id -> watch());
        });
    }

    @Override
    public boolean up() {
        return up;
    }

    // ---- connections (event loop) -------------------------------------------------------------------

    /** One try at connecting: the two connections it made so far, until it is done or superseded. */
    private static final class Attempt {
        final long startedNanos = System.nanoTime();
        RedisConnection commands;
        RedisConnection subscriber;
        boolean over;

        boolean owns(RedisConnection c) {
            return c != null && (c == commands || c == subscriber);
        }

        void close() {
            over = true;
            for (RedisConnection c : new RedisConnection[] {commands, subscriber}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /** The try in progress, or null: at most one at a time. */
    private Attempt connecting;

    private void connect() {
        if (closing || connecting != null || commands != null) {
            return;
        }
        Attempt attempt = new Attempt();
        connecting = attempt;
        redis.connect().compose(c -> {
            attempt.commands = c;
            c.exceptionHandler(e -> lost(c, e));
            c.endHandler(v -> lost(c, null));
            return attempt.over ? Future.failedFuture("superseded") : redis.connect();
        }).compose(s -> {
            attempt.subscriber = s;
            s.exceptionHandler(e -> lost(s, e));
            s.endHandler(v -> lost(s, null));
            s.handler(this::pushed);
            return attempt.over ? Future.failedFuture("superseded")
                    : s.send(Request.cmd(Command.SUBSCRIBE).arg(prefix + "room").arg(prefix + "to:" + me).arg(nudges));
        }).onComplete(result -> {
            if (attempt.over) {
                attempt.close(); // a loss or the watch gave up on it, and tries again itself
                return;
            }
            connecting = null;
            if (result.failed() || closing) {
                if (!warned && !closing) {
                    warned = true;
                    LOG.warnf("cluster: cannot reach Redis at %s (%s); chat stays local until it can, retrying every %d s",
                            where, result.cause() == null ? "stopping" : result.cause().getMessage(), RETRY.toSeconds());
                }
                attempt.close();
                retryLater();
                return;
            }
            commands = attempt.commands;
            subscriber = attempt.subscriber;
            warned = false;
            lastReplyNanos = System.nanoTime();
            up = true;
            wasUp = true;
            generation++;
            reading = false;
            readAgain = false;
            LOG.infof("cluster %s: instance %s connected to Redis at %s", settings.name(), me, where);
            events.up();
            if (cursor == null) {
                findNewest();
            } else {
                read();
            }
        });
    }

    // ---- the lines' stream (event loop) ---------------------------------------------------------------

    /** At the first connection: lines start after the stream's newest entry (or at its start). */
    private void findNewest() {
        int asked = generation;
        sent();
        commands.send(Request.cmd(Command.XREVRANGE).arg(lines).arg("+").arg("-").arg("COUNT").arg(1)).onComplete(reply -> {
            answered();
            if (asked != generation || !up) {
                return;
            }
            if (reply.failed()) {
                refused(reply.cause());
                return; // tried again by the next watch
            }
            Response newest = reply.result();
            String id = newest != null && newest.size() > 0 ? entryId(newest.get(0)) : null;
            cursor = id != null ? id : "0-0";
            read();
        });
    }

    /** Reads what the stream has after {@link #cursor}, handing each line on; again while there is more. */
    private void read() {
        RedisConnection c = commands;
        if (c == null || !up) {
            return;
        }
        if (cursor == null) {
            findNewest();
            return;
        }
        if (reading) {
            readAgain = true;
            return;
        }
        reading = true;
        int asked = generation;
        sent();
        c.send(Request.cmd(Command.XRANGE).arg(lines).arg("(" + cursor).arg("+").arg("COUNT").arg(READ_BATCH))
                .onComplete(reply -> {
                    answered();
                    if (asked != generation) {
                        return;
                    }
                    reading = false;
                    if (reply.failed()) {
                        refused(reply.cause());
                        return;
                    }
                    int read = deliver(reply.result());
                    if (read >= READ_BATCH || readAgain) {
                        readAgain = false;
                        read();
                    }
                });
    }

    /** Hands on each entry's line and moves the cursor past it; returns how many entries there were. */
    private int deliver(Response entries) {
        if (entries == null) {
            return 0;
        }
        int n = entries.size();
        for (int i = 0; i < n; i++) {
            Response entry = entries.get(i);
            String id = entryId(entry);
            if (id == null) {
                continue;
            }
            cursor = id;
            Response fields = entry.get(1);
            Response line = fields != null && fields.size() >= 2 ? fields.get(1) : null;
            if (line != null) {
                events.received(line.toBytes());
            }
        }
        return n;
    }

    /** A stream entry's id ({@code MILLIS-SEQ}), or null if it is not an entry. */
    private static String entryId(Response entry) {
        if (entry == null || entry.size() < 2 || entry.get(0) == null) {
            return null;
        }
        String id = text(entry.get(0));
        return id.matches("[0-9]{1,20}-[0-9]{1,20}") ? id : null;
    }

    private void sent() {
        if (inFlight++ == 0) {
            lastReplyNanos = System.nanoTime();
        }
    }

    private void answered() {
        inFlight--;
        lastReplyNanos = System.nanoTime();
    }

    /** Gives up the try in progress (it closes what it made when it ends) and tries again after {@link #RETRY}. */
    private void abandonAttempt() {
        Attempt attempt = connecting;
        if (attempt != null) {
            attempt.over = true;
            connecting = null;
            retryLater();
        }
    }

    private void retryLater() {
        if (!closing) {
            vertx.setTimer(RETRY.toMillis(), id -> connect());
        }
    }

    /** A connection failed or closed: the link is down until a new one works. */
    private void lost(RedisConnection connection, Throwable cause) {
        if (connecting != null && connecting.owns(connection)) {
            abandonAttempt(); // lost while connecting: this try cannot become the link
            return;
        }
        if (connection != commands && connection != subscriber) {
            return; // one we already let go
        }
        down(cause == null ? "connection closed" : cause.getMessage());
    }

    private void down(String why) {
        closeConnections();
        if (up) {
            up = false;
            LOG.warnf("cluster: lost Redis at %s (%s); chat stays local until it is back", where, why);
            events.down();
        }
        retryLater();
    }

    private void closeConnections() {
        RedisConnection c = commands;
        RedisConnection s = subscriber;
        commands = null;
        subscriber = null;
        if (c != null) {
            c.close();
        }
        if (s != null) {
            s.close();
        }
    }

    /** Every 1 s: a connection that has left a request unanswered for {@link #STALL} is stuck. */
    private void watch() {
        if (connecting != null && System.nanoTime() - connecting.startedNanos > STALL.toNanos()) {
            LOG.debugf("cluster: connecting to Redis at %s took over %d s; trying again", where, STALL.toSeconds());
            abandonAttempt();
            return;
        }
        if (commands != null && inFlight > 0 && System.nanoTime() - lastReplyNanos > STALL.toNanos()) {
            down("no reply for " + STALL.toSeconds() + " s");
        } else if (up && !reading) {
            read(); // a nudge may have been lost
        }
    }

    /** A message on a channel this instance subscribed to: ["message", channel, payload]. */
    private void pushed(Response push) {
        if (push != null && push.size() == 3 && "message".equals(String.valueOf(push.get(0)))) {
            if (push.get(1) != null && nudges.equals(text(push.get(1)))) {
                read();
                return;
            }
            Response payload = push.get(2);
            if (payload != null) {
                events.received(payload.toBytes());
            }
        }
    }

    // ---- requests -----------------------------------------------------------------------------------

    private CompletableFuture<Response> queue(Request request) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        queued.add(new Queued(request, result));
        return result;
    }

    @Override
    public void flush() {
        if (appended) {
            appended = false;
            queue(Request.cmd(Command.PUBLISH).arg(nudges).arg(""));
        }
        if (!queued.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    /** On the event loop: sends everything queued, in order, on the command connection. */
    private void drain() {
        drainScheduled.set(false);
        Queued next;
        while ((next = queued.poll()) != null) {
            Queued q = next;
            RedisConnection c = commands;
            if (c == null || !up) {
                q.result().completeExceptionally(new IllegalStateException("the cluster link is down"));
                continue;
            }
            sent();
            c.send(q.request()).onComplete(reply -> {
                answered();
                if (reply.succeeded()) {
                    q.result().complete(reply.result());
                } else {
                    refused(reply.cause());
                    q.result().completeExceptionally(reply.cause());
                }
                if (inFlight == 0 && idle != null && queued.isEmpty()) {
                    idle.complete(null);
                }
            });
        }
        if (inFlight == 0 && idle != null) {
            idle.complete(null);
        }
    }

    /**
     * Redis answered a request with an error while connected (an ACL that forbids a command, a script
     * error): logged, at most once a minute, since the cluster cannot work as it should.
     */
    private void refused(Throwable cause) {
        long now = System.nanoTime();
        if (up && (lastRefusalLog == 0 || now - lastRefusalLog > TimeUnit.MINUTES.toNanos(1))) {
            lastRefusalLog = now;
            LOG.warnf("cluster: Redis at %s refused a request: %s", where, cause.getMessage());
        }
    }

    private Request script(String script, Object... args) {
        Request request = Request.cmd(Command.EVAL).arg(script).arg(0).arg(prefix).arg(me);
        for (Object arg : args) {
            if (arg instanceof byte[] bytes) {
                request.arg(Buffer.buffer(bytes));
            } else {
                request.arg(arg.toString());
            }
        }
        return request;
    }

    private static <T> CompletionStage<T> map(CompletableFuture<Response> reply, Function<Response, T> read) {
        return reply.thenApply(read);
    }

    @Override
    public CompletionStage<Map<String, String>> announce(Announcement a) {
        List<Object> args = new ArrayList<>();
        args.add(a.info());
        args.add(ttlMillis);
        args.add(a.revision());
        args.add(a.hello());
        args.add(a.claims().size());
        a.claims().forEach((lower, name) -> {
            args.add(lower);
            args.add(name);
        });
        args.addAll(a.members());
        return map(queue(script(RedisScripts.ANNOUNCE, args.toArray())), reply -> pairs(reply));
    }

    @Override
    public CompletionStage<String> claim(String lower, String name, long revision, byte[] event) {
        return map(queue(script(RedisScripts.CLAIM, lower, name, revision, event)), reply -> {
            String holder = reply == null ? "" : reply.toString();
            return holder.isEmpty() ? null : holder;
        });
    }

    @Override
    public CompletionStage<Void> release(String lower, long revision, byte[] event) {
        return map(queue(script(RedisScripts.RELEASE, lower, revision, event)), reply -> null);
    }

    @Override
    public CompletionStage<Void> member(String lower, boolean member, long revision, byte[] event) {
        return map(queue(script(RedisScripts.MEMBER, lower, member ? "1" : "0", revision, event)), reply -> null);
    }

    @Override
    public CompletionStage<Void> append(byte[] line) {
        appended = true;
        return map(queue(Request.cmd(Command.XADD).arg(lines).arg("MAXLEN").arg("~").arg(STREAM_LENGTH).arg("*").arg("m")
                .arg(Buffer.buffer(line))), reply -> null);
    }

    @Override
    public void publish(byte[] message) {
        queue(Request.cmd(Command.PUBLISH).arg(prefix + "room").arg(Buffer.buffer(message)));
    }

    @Override
    public void send(String instance, byte[] message) {
        queue(Request.cmd(Command.PUBLISH).arg(prefix + "to:" + instance).arg(Buffer.buffer(message)));
    }

    @Override
    public CompletionStage<Boolean> heartbeat(String info) {
        return map(queue(script(RedisScripts.HEARTBEAT, info, ttlMillis)), reply -> reply != null && reply.toLong() == 1L);
    }

    @Override
    public CompletionStage<List<InstanceState>> snapshot() {
        return map(queue(script(RedisScripts.SNAPSHOT)), RedisLink::instances);
    }

    @Override
    public CompletionStage<Void> leave(byte[] bye) {
        return map(queue(script(RedisScripts.LEAVE, bye)), reply -> null);
    }

    /**
     * Sends what is queued and waits, at most {@code grace}, for the replies (the goodbye the instance
     * queued at shutdown); then closes the connections.
     */
    @Override
    public void close(Duration grace) {
        if (closing) {
            return;
        }
        CompletableFuture<Void> drained = new CompletableFuture<>();
        context.runOnContext(v -> {
            idle = drained;
            drain();
        });
        try {
            drained.get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.debugf("cluster: not every request was answered before closing");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closing = true;
        context.runOnContext(v -> {
            up = false;
            closeConnections();
        });
    }

    // ---- replies, read defensively: anyone with access to Redis can write there -------------------------

    /** A flat array of pairs as a map; an odd last element is ignored. */
    private static Map<String, String> pairs(Response reply) {
        Map<String, String> map = new HashMap<>();
        if (reply == null) {
            return map;
        }
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            Response key = reply.get(i);
            Response value = reply.get(i + 1);
            if (key != null && value != null) {
                map.put(text(key), text(value));
            }
        }
        return map;
    }

    private static List<InstanceState> instances(Response reply) {
        List<InstanceState> states = new ArrayList<>();
        if (reply == null) {
            return states;
        }
        for (int i = 0; i < reply.size(); i++) {
            Response entry = reply.get(i);
            if (entry == null || entry.size() != 5 || entry.get(0) == null) {
                states.add(new InstanceState("", -1, "", Map.of(), Set.of())); // counted as malformed by the node
                continue;
            }
            long revision;
            try {
                revision = Long.parseLong(text(entry.get(1)));
            } catch (NumberFormatException | NullPointerException e) {
                revision = -1;
            }
            Set<String> members = new HashSet<>();
            Response listed = entry.get(4);
            for (int j = 0; listed != null && j < listed.size(); j++) {
                if (listed.get(j) != null) {
                    members.add(text(listed.get(j)));
                }
            }
            Response info = entry.get(2);
            states.add(new InstanceState(text(entry.get(0)), revision, info == null ? "" : text(info), pairs(entry.get(3)),
                    members));
        }
        return states;
    }

    private static String text(Response r) {
        return new String(r.toBytes(), StandardCharsets.UTF_8);
    }
}
