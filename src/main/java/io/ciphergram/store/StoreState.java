package io.ciphergram.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import io.ciphergram.store.Mailboxes.Deposit;

/**
 * A store's state and its answers, synchronous and single-threaded (its owner serializes the calls): the
 * decisions every {@link StateStore} ({@link MemoryStore}, {@link EmbeddedStore}) answers with, taken once
 * here whether the state is kept in memory only or made durable by other means. Every change it makes goes through {@link #apply} as a {@link Change} and is handed
 * to the caller's sink, so that a journal can record it and later {@link #apply} it again, without a clock:
 * what was decided at the time stays decided.
 *
 * <p>Nothing is kept beyond the {@link StorePolicy}: a room keeps at most {@code historyLines} lines (also when
 * replayed under a smaller policy), a mailbox at most {@code mailboxMessages}; what is older than the
 * policy's ages is never answered, and is dropped from memory when its room or mailbox is next used.
 */
final class StoreState {

    /** A change to the state: what a journal records. */
    sealed interface Change {
    }

    /** {@code key} is bound as {@code binding} now (bound, marked used, or given a prekey). */
    record Bound(String key, NameBinding binding) implements Change {
    }

    /** {@code key} is free, and its mailbox gone. */
    record Released(String key) implements Change {
    }

    record Deposited(StoredMessage message) implements Change {
    }

    record Acknowledged(String key, long sequence) implements Change {
    }

    record MailExpired(long cutoffMillis) implements Change {
    }

    /** The line, its room canonical. */
    record Appended(HistoryLine line) implements Change {
    }

    record Purged(String room) implements Change {
    }

    record LinesExpired(long cutoffMillis) implements Change {
    }

    /** Sequences given so far (a snapshot's: they never come back, even when every message is gone). */
    record SequencesFrom(long next) implements Change {
    }

    /** The greatest id appended to {@code room} (a snapshot's: it stays when the lines go). */
    record LastId(String room, long id) implements Change {
    }

    private final StorePolicy policy;
    private final LongSupplier millis;

    /** By canonical name. */
    private final TreeMap<String, NameBinding> bindings = new TreeMap<>();
    /** By canonical recipient, oldest first. */
    private final Map<String, ArrayDeque<StoredMessage>> mailboxes = new HashMap<>();
    private long nextSequence = 1;
    /** By canonical room, oldest first. */
    private final Map<String, ArrayDeque<HistoryLine>> history = new HashMap<>();
    /** The greatest id ever appended to each room, kept when its lines go. */
    private final Map<String, Long> lastIds = new HashMap<>();

    StoreState(StorePolicy policy, LongSupplier millis) {
        this.policy = policy;
        this.millis = millis;
    }

    /** Makes {@code change}; the one way the state changes, live or replayed. Returns how many items it removed. */
    int apply(Change change) {
        if (change instanceof Bound b) {
            bindings.put(b.key(), b.binding());
        } else if (change instanceof Released r) {
            bindings.remove(r.key());
            mailboxes.remove(r.key());
        } else if (change instanceof Deposited d) {
            StoredMessage message = d.message();
            mailboxes.computeIfAbsent(message.recipient(), k -> new ArrayDeque<>()).addLast(message);
            nextSequence = Math.max(nextSequence, message.sequence() + 1);
        } else if (change instanceof Acknowledged a) {
            ArrayDeque<StoredMessage> box = mailboxes.get(a.key());
            if (box != null) {
                while (!box.isEmpty() && box.peekFirst().sequence() <= a.sequence()) {
                    box.removeFirst();
                }
                if (box.isEmpty()) {
                    mailboxes.remove(a.key());
                }
            }
        } else if (change instanceof MailExpired e) {
            return removeOlder(mailboxes, e.cutoffMillis(), StoredMessage::storedAtMillis);
        } else if (change instanceof Appended a) {
            HistoryLine line = a.line();
            lastIds.merge(line.room(), line.id(), Math::max);
            ArrayDeque<HistoryLine> lines = history.computeIfAbsent(line.room(), r -> new ArrayDeque<>());
            lines.addLast(line);
            while (lines.size() > policy.historyLines()) {
                lines.removeFirst();
            }
            if (lines.isEmpty()) {
                history.remove(line.room());
            }
        } else if (change instanceof Purged p) {
            ArrayDeque<HistoryLine> lines = history.remove(p.room());
            return lines == null ? 0 : lines.size();
        } else if (change instanceof LinesExpired e) {
            return removeOlder(history, e.cutoffMillis(), HistoryLine::timeMillis);
        } else if (change instanceof SequencesFrom s) {
            nextSequence = Math.max(nextSequence, s.next());
        } else if (change instanceof LastId l) {
            lastIds.merge(l.room(), l.id(), Math::max);
        }
        return 0;
    }

    private static <T> int removeOlder(Map<String, ArrayDeque<T>> all, long cutoffMillis, ToLongFunction<T> time) {
        int dropped = 0;
        for (Iterator<ArrayDeque<T>> each = all.values().iterator(); each.hasNext();) {
            ArrayDeque<T> items = each.next();
            int before = items.size();
            items.removeIf(item -> time.applyAsLong(item) < cutoffMillis);
            dropped += before - items.size();
            if (items.isEmpty()) {
                each.remove();
            }
        }
        return dropped;
    }

    private int make(Change change, Consumer<Change> changes) {
        int removed = apply(change);
        changes.accept(change);
        return removed;
    }

    /** What is live now, as the changes that rebuild it. */
    List<Change> snapshot() {
        long now = millis.getAsLong();
        List<Change> snapshot = new ArrayList<>();
        snapshot.add(new SequencesFrom(nextSequence));
        bindings.forEach((key, binding) -> {
            if (live(binding, now)) {
                snapshot.add(new Bound(key, binding));
            }
        });
        long mailCutoff = now - policy.mailboxAge().toMillis();
        mailboxes.forEach((key, box) -> {
            NameBinding owner = bindings.get(key);
            if (owner != null && live(owner, now)) {
                box.stream().filter(m -> m.storedAtMillis() >= mailCutoff).forEach(m -> snapshot.add(new Deposited(m)));
            }
        });
        lastIds.forEach((room, id) -> snapshot.add(new LastId(room, id)));
        long lineCutoff = now - policy.historyAge().toMillis();
        history.values().forEach(lines -> lines.stream().filter(l -> l.timeMillis() >= lineCutoff)
                .forEach(l -> snapshot.add(new Appended(l))));
        return snapshot;
    }

    // ---------------------------------------------------------------- name bindings

    private boolean live(NameBinding binding, long now) {
        return binding.lastUsedMillis() >= now - policy.bindingsUnusedFor().toMillis();
    }

    private NameBinding liveBinding(String key) {
        NameBinding binding = bindings.get(key);
        return binding != null && live(binding, millis.getAsLong()) ? binding : null;
    }

    Optional<NameBinding> binding(String name) {
        return Optional.ofNullable(liveBinding(StoreKeys.canonical(name)));
    }

    NameBinding bindIfFree(String name, byte[] identityKey, long nowMillis, Consumer<Change> changes) {
        String key = StoreKeys.canonical(name);
        NameBinding held = liveBinding(key);
        if (held == null) {
            NameBinding bound = new NameBinding(name, identityKey, nowMillis, nowMillis, null); // checks the key first
            if (bindings.containsKey(key)) {
                make(new Released(key), changes); // unused past the policy: free, and its mailbox goes with it
            }
            make(new Bound(key, bound), changes);
            return bound;
        }
        if (!held.ownedBy(identityKey)) {
            return held;
        }
        NameBinding used = held.used(nowMillis);
        if (!used.equals(held)) {
            make(new Bound(key, used), changes);
        }
        return used;
    }

    boolean publishPrekey(String name, byte[] identityKey, SignedPrekey prekey, Consumer<Change> changes) {
        String key = StoreKeys.canonical(name);
        NameBinding held = liveBinding(key);
        if (held == null || !held.ownedBy(identityKey)) {
            return false;
        }
        SignedPrekey stored = held.prekey();
        if (stored != null && stored.equals(prekey)) {
            return true;
        }
        if (stored != null && prekey.keyId() <= stored.keyId()) {
            return false;
        }
        make(new Bound(key, held.withPrekey(prekey)), changes);
        return true;
    }

    List<NameBinding> list(int offset, int limit) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit are not negative");
        }
        long now = millis.getAsLong();
        List<NameBinding> page = new ArrayList<>(Math.min(limit, 1_000));
        int skipped = 0;
        for (NameBinding binding : bindings.values()) {
            if (page.size() == limit) {
                break;
            }
            if (live(binding, now) && skipped++ >= offset) {
                page.add(binding);
            }
        }
        return page;
    }

    int bindingCount() {
        long now = millis.getAsLong();
        return (int) bindings.values().stream().filter(b -> live(b, now)).count();
    }

    boolean release(String name, Consumer<Change> changes) {
        String key = StoreKeys.canonical(name);
        boolean wasBound = liveBinding(key) != null;
        if (bindings.containsKey(key) || mailboxes.containsKey(key)) {
            make(new Released(key), changes);
        }
        return wasBound;
    }

    int expireUnusedSince(long cutoffMillis, Consumer<Change> changes) {
        List<String> unused = new ArrayList<>();
        bindings.forEach((key, binding) -> {
            if (binding.lastUsedMillis() < cutoffMillis) {
                unused.add(key);
            }
        });
        unused.forEach(key -> make(new Released(key), changes));
        return unused.size();
    }

    // ---------------------------------------------------------------- mailboxes

    /** The recipient's mailbox without what the policy's age has dropped, or null if it has none. */
    private ArrayDeque<StoredMessage> mailbox(String key) {
        ArrayDeque<StoredMessage> box = mailboxes.get(key);
        if (box == null) {
            return null;
        }
        long cutoff = millis.getAsLong() - policy.mailboxAge().toMillis();
        while (!box.isEmpty() && box.peekFirst().storedAtMillis() < cutoff) {
            box.removeFirst(); // not a change to record: a replay drops them again, they are past the policy's age
        }
        return box;
    }

    Deposit deposit(String recipient, String sender, byte[] envelope, long nowMillis, Consumer<Change> changes) {
        String key = StoreKeys.canonical(recipient);
        if (liveBinding(key) == null) {
            return Deposit.UNBOUND;
        }
        ArrayDeque<StoredMessage> box = mailbox(key);
        if (box != null && box.size() >= policy.mailboxMessages() || policy.mailboxMessages() <= 0) {
            return Deposit.FULL;
        }
        make(new Deposited(new StoredMessage(nextSequence, key, sender, envelope, nowMillis)), changes);
        return Deposit.STORED;
    }

    List<StoredMessage> peek(String recipient, int max) {
        ArrayDeque<StoredMessage> box = mailbox(StoreKeys.canonical(recipient));
        List<StoredMessage> oldest = new ArrayList<>();
        if (box != null) {
            for (Iterator<StoredMessage> i = box.iterator(); i.hasNext() && oldest.size() < max;) {
                oldest.add(i.next());
            }
        }
        return oldest;
    }

    void acknowledge(String recipient, long sequence, Consumer<Change> changes) {
        String key = StoreKeys.canonical(recipient);
        ArrayDeque<StoredMessage> box = mailboxes.get(key);
        if (box != null && !box.isEmpty() && box.peekFirst().sequence() <= sequence) {
            make(new Acknowledged(key, sequence), changes);
        }
    }

    int messageCount(String recipient) {
        ArrayDeque<StoredMessage> box = mailbox(StoreKeys.canonical(recipient));
        return box == null ? 0 : box.size();
    }

    int expireMessagesOlderThan(long cutoffMillis, Consumer<Change> changes) {
        int dropped = apply(new MailExpired(cutoffMillis));
        if (dropped > 0) {
            changes.accept(new MailExpired(cutoffMillis));
        }
        return dropped;
    }

    // ---------------------------------------------------------------- room history

    /** The room's lines within the policy, oldest first; an empty list if it has none. */
    private List<HistoryLine> lines(String room) {
        ArrayDeque<HistoryLine> lines = history.get(room);
        if (lines == null) {
            return List.of();
        }
        long cutoff = millis.getAsLong() - policy.historyAge().toMillis();
        List<HistoryLine> kept = new ArrayList<>(lines.size());
        for (HistoryLine line : lines) {
            if (line.timeMillis() >= cutoff) {
                kept.add(line);
            }
        }
        return kept;
    }

    void append(HistoryLine line, Consumer<Change> changes) {
        String room = StoreKeys.canonical(line.room());
        if (line.id() <= lastIds.getOrDefault(room, 0L)) {
            return;
        }
        make(new Appended(room.equals(line.room()) ? line
                : new HistoryLine(line.id(), room, line.from(), line.text(), line.timeMillis())), changes);
        ArrayDeque<HistoryLine> lines = history.get(room);
        if (lines != null) {
            long cutoff = millis.getAsLong() - policy.historyAge().toMillis();
            lines.removeIf(l -> l.timeMillis() < cutoff); // as in mailbox(): past the age, dropped again on replay
            if (lines.isEmpty()) {
                history.remove(room);
            }
        }
    }

    List<HistoryLine> recent(String room, int max) {
        List<HistoryLine> lines = lines(StoreKeys.canonical(room));
        return List.copyOf(lines.subList(StoreKeys.newestFrom(lines.size(), max), lines.size()));
    }

    List<HistoryLine> after(String room, long afterId, int max) {
        List<HistoryLine> missed = new ArrayList<>();
        for (HistoryLine line : lines(StoreKeys.canonical(room))) {
            if (line.id() > afterId) {
                missed.add(line);
            }
        }
        return List.copyOf(missed.subList(StoreKeys.newestFrom(missed.size(), max), missed.size()));
    }

    long lastId(String room) {
        return lastIds.getOrDefault(StoreKeys.canonical(room), 0L);
    }

    List<String> rooms() {
        return history.keySet().stream().filter(room -> !lines(room).isEmpty()).sorted().toList();
    }

    int purge(String room, Consumer<Change> changes) {
        String key = StoreKeys.canonical(room);
        return history.containsKey(key) ? make(new Purged(key), changes) : 0;
    }

    int expireLinesOlderThan(long cutoffMillis, Consumer<Change> changes) {
        int dropped = apply(new LinesExpired(cutoffMillis));
        if (dropped > 0) {
            changes.accept(new LinesExpired(cutoffMillis));
        }
        return dropped;
    }
}
