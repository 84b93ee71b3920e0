package io.ciphergram.cluster.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

import io.ciphergram.store.HistoryLine;
import io.ciphergram.store.Mailboxes;
import io.ciphergram.store.NameBinding;
import io.ciphergram.store.NameBindings;
import io.ciphergram.store.RoomHistory;
import io.ciphergram.store.SignedPrekey;
import io.ciphergram.store.Store;
import io.ciphergram.store.StorePolicy;
import io.ciphergram.store.StoredMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The store in Redis, shared by every instance of a cluster ({@link RedisStoreScripts} lists the keys, under
 * {@code ciphergram:CLUSTER:store:}). It answers as {@code MemoryStore} does (the contract tests hold both to
 * it); what must be atomic across instances (binding a free name, a deposit into a mailbox with room, an
 * acknowledgement) is one Lua script. Mailboxes hold the sealed envelope bytes only; history is in clear.
 *
 * <h2>Threads</h2>
 * Any thread may call it (the relay does, from its one thread). Each operation is one request on one
 * connection of the Redis client Quarkus configured, sent in the order asked, so a room's lines and a
 * mailbox's deposits keep their order; replies arrive on a Vert.x event loop and each stage completes, once
 * Redis has answered, on the callback executor. A lost connection fails what was waiting on it; the next
 * request makes a new one. {@link #close} closes the connection, not the client, which is not its own.
 *
 * <h2>Durability</h2>
 * A stage completes when Redis acknowledged the change; whether that survives a Redis restart is Redis's
 * persistence setting ({@code appendonly yes} for mailboxes that must survive, see docs/OPERATIONS.md).
 */
public final class RedisStore implements Store {

    private record Script(String body, String sha) {
        static Script of(String body) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8));
                return new Script(body, HexFormat.of().formatHex(digest));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every JDK has SHA-1
            }
        }
    }

    private static final Script BIND = Script.of(RedisStoreScripts.BIND);
    private static final Script PREKEY = Script.of(RedisStoreScripts.PREKEY);
    private static final Script LIST = Script.of(RedisStoreScripts.LIST);
    private static final Script RELEASE = Script.of(RedisStoreScripts.RELEASE);
    private static final Script EXPIRE_NAMES = Script.of(RedisStoreScripts.EXPIRE_NAMES);
    private static final Script DEPOSIT = Script.of(RedisStoreScripts.DEPOSIT);
    private static final Script PEEK = Script.of(RedisStoreScripts.PEEK);
    private static final Script COUNT = Script.of(RedisStoreScripts.COUNT);
    private static final Script ACKNOWLEDGE = Script.of(RedisStoreScripts.ACKNOWLEDGE);
    private static final Script EXPIRE_MAIL = Script.of(RedisStoreScripts.EXPIRE_MAIL);
    private static final Script APPEND = Script.of(RedisStoreScripts.APPEND);
    private static final Script ROOMS = Script.of(RedisStoreScripts.ROOMS);
    private static final Script PURGE = Script.of(RedisStoreScripts.PURGE);
    private static final Script EXPIRE_LINES = Script.of(RedisStoreScripts.EXPIRE_LINES);
    private static final List<Script> SCRIPTS = List.of(BIND, PREKEY, LIST, RELEASE, EXPIRE_NAMES, DEPOSIT, PEEK, COUNT,
            ACKNOWLEDGE, EXPIRE_MAIL, APPEND, ROOMS, PURGE, EXPIRE_LINES);

    private final Redis redis;
    private final String prefix;
    private final StorePolicy policy;
    private final Executor callbacks;
    private final LongSupplier millis;
    private final AtomicReference<Future<RedisConnection>> connection = new AtomicReference<>();
    private volatile boolean closed;

    private final NameBindings names = new Names();
    private final Mailboxes boxes = new Boxes();
    private final RoomHistory rooms = new Rooms();

    /**
     * @param redis the client Quarkus made from {@code quarkus.redis.*} (shared; not closed by {@link #close})
     * @param cluster the cluster's name ({@code ciphergram.cluster.name}): the keys' prefix
     * @param callbacks where every stage completes (in the service, the relay thread)
     * @param millis the time the policy's ages are measured against (epoch milliseconds)
     */
    public RedisStore(Redis redis, String cluster, StorePolicy policy, Executor callbacks, LongSupplier millis) {
        this.redis = redis;
        this.prefix = "ciphergram:" + cluster + ":store:";
        this.policy = policy;
        this.callbacks = callbacks;
        this.millis = millis;
    }

    @Override
    public NameBindings bindings() {
        return names;
    }

    @Override
    public Mailboxes mailboxes() {
        return boxes;
    }

    @Override
    public RoomHistory history() {
        return rooms;
    }

    /** Every instance of the cluster reads and writes the same keys. */
    @Override
    public boolean shared() {
        return true;
    }

    /** Fails what is asked from now on and closes its connection (not the client, which is not its own). */
    @Override
    public void close() {
        closed = true;
        Future<RedisConnection> current = connection.getAndSet(null);
        if (current != null) {
            current.onSuccess(RedisConnection::close);
        }
    }

    // ---------------------------------------------------------------- requests and their answers

    private <T> CompletionStage<T> completed(T value) {
        CompletableFuture<T> pending = new CompletableFuture<>();
        post(() -> pending.complete(value));
        return pending.minimalCompletionStage();
    }

    private <T> CompletionStage<T> failed(Throwable failure) {
        CompletableFuture<T> pending = new CompletableFuture<>();
        post(() -> pending.completeExceptionally(failure));
        return pending.minimalCompletionStage();
    }

    private void post(Runnable completion) {
        try {
            callbacks.execute(completion);
        } catch (RejectedExecutionException e) {
            // the executor (the relay) has stopped: nobody is left to hear the answer
        }
    }

    /**
     * The one connection every request goes on, in the order they were asked (Redis answers a connection's
     * requests in order; a pool would let a relay's two appends or deposits overtake each other). Made on first
     * use with every script loaded, made again after it is lost.
     */
    private Future<RedisConnection> connection() {
        Future<RedisConnection> current = connection.get();
        if (current != null && !current.failed()) {
            return current;
        }
        Future<RedisConnection> fresh = redis.connect().compose(c -> {
            Future<?> loaded = Future.succeededFuture();
            for (Script script : SCRIPTS) {
                loaded = loaded.compose(v -> c.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.body())));
            }
            return loaded.map(v -> c).onFailure(e -> c.close());
        });
        if (!connection.compareAndSet(current, fresh)) {
            return connection();
        }
        fresh.onSuccess(c -> {
            c.exceptionHandler(e -> lost(fresh, c));
            c.endHandler(v -> lost(fresh, c));
        });
        return fresh;
    }

    private void lost(Future<RedisConnection> which, RedisConnection c) {
        if (connection.compareAndSet(which, null)) {
            c.close();
        }
    }

    /** Sends {@code request} (made at most twice: EVALSHA, then EVAL if Redis lost the script) and reads its reply. */
    private <T> CompletionStage<T> ask(Function<Boolean, Request> request, Function<Response, T> read) {
        if (closed) {
            return failed(new IllegalStateException("the store is closed"));
        }
        CompletableFuture<T> pending = new CompletableFuture<>();
        Future<Response> reply;
        try {
            Request first = request.apply(false);
            reply = connection().compose(c -> c.send(first).recover(e -> e.getMessage() != null
                    && e.getMessage().startsWith("NOSCRIPT") ? c.send(request.apply(true)) : Future.failedFuture(e)));
        } catch (RuntimeException e) {
            return failed(e);
        }
        reply.onComplete(result -> {
            if (result.failed()) {
                post(() -> pending.completeExceptionally(result.cause()));
                return;
            }
            T value;
            try {
                value = read.apply(result.result());
            } catch (RuntimeException e) {
                post(() -> pending.completeExceptionally(e));
                return;
            }
            post(() -> pending.complete(value));
        });
        return pending.minimalCompletionStage();
    }

    private <T> CompletionStage<T> eval(Script script, Function<Response, T> read, Object... args) {
        return ask(full -> {
            Request request = full ? Request.cmd(Command.EVAL).arg(script.body()) : Request.cmd(Command.EVALSHA).arg(script.sha());
            request.arg(0).arg(prefix);
            for (Object arg : args) {
                if (arg instanceof byte[] bytes) {
                    request.arg(Buffer.buffer(bytes));
                } else {
                    request.arg(arg.toString());
                }
            }
            return request;
        }, read);
    }

    private <T> CompletionStage<T> command(Request request, Function<Response, T> read) {
        return ask(full -> request, read);
    }

    /** The one form under which a name or room is keyed: ASCII lower case ({@code StoreKeys} in the store package). */
    static String canonical(String nameOrRoom) {
        char[] chars = nameOrRoom.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] += 'a' - 'A';
            }
        }
        return new String(chars);
    }

    private static long number(Response r) {
        return r == null ? 0 : Long.parseLong(r.toString());
    }

    // ---------------------------------------------------------------- name bindings

    private long liveCutoff() {
        return millis.getAsLong() - policy.bindingsUnusedFor().toMillis();
    }

    private static byte[] prekeyBytes(SignedPrekey prekey) {
        return ByteBuffer.allocate(4 + 32 + 8 + 64).putInt(prekey.keyId()).put(prekey.publicKey()).putLong(prekey.createdMillis())
                .put(prekey.signature()).array();
    }

    private static SignedPrekey prekey(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int keyId = in.getInt();
        byte[] publicKey = new byte[32];
        in.get(publicKey);
        long created = in.getLong();
        byte[] signature = new byte[64];
        in.get(signature);
        return new SignedPrekey(keyId, publicKey, created, signature);
    }

    /** A binding from its HMGET fields (name, identity, bound, used, prekey), or null if it has none. */
    private static NameBinding binding(Response fields) {
        if (fields == null || fields.size() < 5 || fields.get(0) == null) {
            return null;
        }
        Response prekey = fields.get(4);
        return new NameBinding(fields.get(0).toString(StandardCharsets.UTF_8), fields.get(1).toBytes(), number(fields.get(2)),
                number(fields.get(3)), prekey == null ? null : prekey(prekey.toBytes()));
    }

    private Request bindingFields(String key) {
        return Request.cmd(Command.HMGET).arg(prefix + "name:" + key).arg("name").arg("identity").arg("bound").arg("used")
                .arg("prekey");
    }

    private final class Names implements NameBindings {

        @Override
        public CompletionStage<Optional<NameBinding>> get(String name) {
            long cutoff = liveCutoff();
            return command(bindingFields(canonical(name)), fields -> Optional.ofNullable(binding(fields))
                    .filter(b -> b.lastUsedMillis() >= cutoff));
        }

        @Override
        public CompletionStage<NameBinding> bindIfFree(String name, byte[] identityKey, long nowMillis) {
            if (identityKey.length != 32) {
                return failed(new IllegalArgumentException("an Ed25519 public key is 32 bytes"));
            }
            return eval(BIND, RedisStore::binding, canonical(name), name, identityKey, nowMillis, liveCutoff());
        }

        @Override
        public CompletionStage<Boolean> publishPrekey(String name, byte[] identityKey, SignedPrekey prekey) {
            return eval(PREKEY, r -> number(r) == 1, canonical(name), identityKey, prekeyBytes(prekey), prekey.keyId(),
                    liveCutoff());
        }

        @Override
        public CompletionStage<List<NameBinding>> list(int offset, int limit) {
            if (offset < 0 || limit < 0) {
                return failed(new IllegalArgumentException("offset and limit are not negative"));
            }
            return eval(LIST, page -> {
                List<NameBinding> bindings = new ArrayList<>(page.size());
                for (Response fields : page) {
                    bindings.add(binding(fields));
                }
                return bindings;
            }, liveCutoff(), offset, limit);
        }

        @Override
        public CompletionStage<Integer> count() {
            return command(Request.cmd(Command.ZCOUNT).arg(prefix + "names").arg(liveCutoff()).arg("+inf"),
                    r -> (int) number(r));
        }

        @Override
        public CompletionStage<Boolean> release(String name) {
            return eval(RELEASE, r -> number(r) == 1, canonical(name), liveCutoff());
        }

        @Override
        public CompletionStage<Integer> expireUnusedSince(long cutoffMillis) {
            return eval(EXPIRE_NAMES, r -> (int) number(r), cutoffMillis);
        }
    }

    // ---------------------------------------------------------------- mailboxes

    private long mailCutoff() {
        return millis.getAsLong() - policy.mailboxAge().toMillis();
    }

    /** "SEQ:STORED:SENDERLENGTH:" SENDER ENVELOPE */
    private static StoredMessage message(String recipient, byte[] entry) {
        int first = colon(entry, 0);
        int second = colon(entry, first + 1);
        int third = colon(entry, second + 1);
        long sequence = Long.parseLong(new String(entry, 0, first, StandardCharsets.US_ASCII));
        long stored = Long.parseLong(new String(entry, first + 1, second - first - 1, StandardCharsets.US_ASCII));
        int senderLength = Integer.parseInt(new String(entry, second + 1, third - second - 1, StandardCharsets.US_ASCII));
        int senderStart = third + 1;
        String sender = new String(entry, senderStart, senderLength, StandardCharsets.UTF_8);
        byte[] envelope = Arrays.copyOfRange(entry, senderStart + senderLength, entry.length);
        return new StoredMessage(sequence, recipient, sender, envelope, stored);
    }

    private static int colon(byte[] entry, int from) {
        for (int i = from; i < entry.length; i++) {
            if (entry[i] == ':') {
                return i;
            }
        }
        throw new IllegalStateException("a store entry without its header");
    }

    private final class Boxes implements Mailboxes {

        @Override
        public CompletionStage<Deposit> deposit(String recipient, String sender, byte[] envelope, long nowMillis) {
            return eval(DEPOSIT, r -> Deposit.valueOf(r.toString()), canonical(recipient), sender.getBytes(StandardCharsets.UTF_8),
                    envelope, nowMillis, liveCutoff(), mailCutoff(), policy.mailboxMessages());
        }

        @Override
        public CompletionStage<List<StoredMessage>> peek(String recipient, int max) {
            if (max <= 0) {
                return completed(List.of());
            }
            String key = canonical(recipient);
            return eval(PEEK, entries -> {
                List<StoredMessage> oldest = new ArrayList<>(entries.size());
                for (Response entry : entries) {
                    oldest.add(message(key, entry.toBytes()));
                }
                return oldest;
            }, key, mailCutoff(), max);
        }

        @Override
        public CompletionStage<Void> acknowledge(String recipient, long sequence) {
            return eval(ACKNOWLEDGE, r -> null, canonical(recipient), sequence);
        }

        @Override
        public CompletionStage<Integer> count(String recipient) {
            return eval(COUNT, r -> (int) number(r), canonical(recipient), mailCutoff());
        }

        @Override
        public CompletionStage<Integer> expireOlderThan(long cutoffMillis) {
            return eval(EXPIRE_MAIL, r -> (int) number(r), cutoffMillis);
        }
    }

    // ---------------------------------------------------------------- room history

    private long historyCutoff() {
        return millis.getAsLong() - policy.historyAge().toMillis();
    }

    /** "ID:TIME:FROMLENGTH:" FROM TEXT */
    private static HistoryLine line(String room, byte[] entry) {
        int first = colon(entry, 0);
        int second = colon(entry, first + 1);
        int third = colon(entry, second + 1);
        long id = Long.parseLong(new String(entry, 0, first, StandardCharsets.US_ASCII));
        long time = Long.parseLong(new String(entry, first + 1, second - first - 1, StandardCharsets.US_ASCII));
        int fromLength = Integer.parseInt(new String(entry, second + 1, third - second - 1, StandardCharsets.US_ASCII));
        String from = new String(entry, third + 1, fromLength, StandardCharsets.UTF_8);
        String text = new String(entry, third + 1 + fromLength, entry.length - third - 1 - fromLength, StandardCharsets.UTF_8);
        return new HistoryLine(id, room, from, text, time);
    }

    /** The room's lines within the policy's age, oldest first (the list holds at most the policy's lines). */
    private CompletionStage<List<HistoryLine>> lines(String room, Function<List<HistoryLine>, List<HistoryLine>> pick) {
        long cutoff = historyCutoff();
        return command(Request.cmd(Command.LRANGE).arg(prefix + "hist:" + room).arg(0).arg(-1), entries -> {
            List<HistoryLine> kept = new ArrayList<>(entries.size());
            for (Response entry : entries) {
                HistoryLine line = line(room, entry.toBytes());
                if (line.timeMillis() >= cutoff) {
                    kept.add(line);
                }
            }
            return pick.apply(kept);
        });
    }

    private static List<HistoryLine> newest(List<HistoryLine> lines, int max) {
        return List.copyOf(lines.subList(Math.max(0, lines.size() - Math.max(0, max)), lines.size()));
    }

    private final class Rooms implements RoomHistory {

        @Override
        public CompletionStage<Void> append(HistoryLine line) {
            if (line.id() <= 0) {
                return completed(null); // not greater than the 0 a room starts from
            }
            byte[] from = line.from().getBytes(StandardCharsets.UTF_8);
            byte[] text = line.text().getBytes(StandardCharsets.UTF_8);
            byte[] length = (from.length + ":").getBytes(StandardCharsets.US_ASCII);
            byte[] tail = ByteBuffer.allocate(length.length + from.length + text.length).put(length).put(from).put(text).array();
            return eval(APPEND, r -> null, canonical(line.room()), String.format("%020d", line.id()), line.timeMillis(), tail,
                    policy.historyLines(), historyCutoff());
        }

        @Override
        public CompletionStage<List<HistoryLine>> recent(String room, int max) {
            return lines(canonical(room), lines -> newest(lines, max));
        }

        @Override
        public CompletionStage<List<HistoryLine>> after(String room, long afterId, int max) {
            return lines(canonical(room), lines -> newest(lines.stream().filter(l -> l.id() > afterId).toList(), max));
        }

        @Override
        public CompletionStage<Long> lastId(String room) {
            return command(Request.cmd(Command.HGET).arg(prefix + "last").arg(canonical(room)), RedisStore::number);
        }

        @Override
        public CompletionStage<List<String>> rooms() {
            return eval(ROOMS, list -> {
                List<String> names = new ArrayList<>(list.size());
                for (Response room : list) {
                    names.add(room.toString(StandardCharsets.UTF_8));
                }
                names.sort(null);
                return names;
            }, historyCutoff());
        }

        @Override
        public CompletionStage<Integer> purge(String room) {
            return eval(PURGE, r -> (int) number(r), canonical(room));
        }

        @Override
        public CompletionStage<Integer> expireOlderThan(long cutoffMillis) {
            return eval(EXPIRE_LINES, r -> (int) number(r), cutoffMillis);
        }
    }
}
