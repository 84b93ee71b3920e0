package io.ciphergram.protocol.e2e;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The message ids a recipient has opened, so that an envelope the relay (or anyone) sends again is refused
 * (docs/PROTOCOL.md, "Replay cache"). Bounded twice: by age (an envelope older than {@code maxAge} is
 * refused outright, so its id need not be remembered) and by count (past {@code maxEntries} the oldest id is
 * forgotten, and every envelope not newer than it is refused from then on: the <em>floor</em>). A time more
 * than {@code maxClockSkew} ahead is refused too, so that no sender can park an id beyond the age bound or
 * push the floor into the future.
 *
 * <p>Entries are recorded only after an envelope authenticated and opened ({@link EndToEnd#open}), so a
 * forger cannot fill it. Not thread-safe: it belongs to the one thread that opens envelopes. To survive a
 * restart (a relay could otherwise replay its mailbox to a client that restarted), the client saves
 * {@link #entries()} and {@link #floorMillis()} and restores them with {@link #restore}.
 */
public final class ReplayCache {

    /** Why an envelope's id and time are, or are not, acceptable. */
    public enum Verdict {
        FRESH, REPLAYED, TOO_OLD, FROM_THE_FUTURE
    }

    /** An id seen, with the time its envelope claimed. */
    public record Seen(byte[] messageId, long timeMillis) {
    }

    /** The relay keeps a message up to 7 days; one more day for clocks and delays. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(8);
    /** Ten times what the relay stores for one recipient (1,000 messages). */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofHours(1);

    private record Id(long high, long low) {
    }

    private record Entry(Id id, long timeMillis) {
    }

    private final int maxEntries;
    private final long maxAgeMillis;
    private final long maxSkewMillis;
    private final Set<Id> ids = new HashSet<>();
    private final PriorityQueue<Entry> byTime = new PriorityQueue<>(Comparator.comparingLong(Entry::timeMillis));
    private long floorMillis = Long.MIN_VALUE;

    public ReplayCache(int maxEntries, Duration maxAge, Duration maxClockSkew) {
        if (maxEntries < 1 || maxAge.isNegative() || maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("a replay cache holds at least one id, for a non-negative age");
        }
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAge.toMillis();
        this.maxSkewMillis = maxClockSkew.toMillis();
    }

    public static ReplayCache withDefaults() {
        return new ReplayCache(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_AGE, DEFAULT_MAX_CLOCK_SKEW);
    }

    /** Whether an envelope with this id and time would be fresh now; remembers nothing. */
    public Verdict check(byte[] messageId, long timeMillis, long nowMillis) {
        if (timeMillis > nowMillis + maxSkewMillis) {
            return Verdict.FROM_THE_FUTURE;
        }
        if (timeMillis < nowMillis - maxAgeMillis || timeMillis <= floorMillis) {
            return Verdict.TOO_OLD;
        }
        return ids.contains(id(messageId)) ? Verdict.REPLAYED : Verdict.FRESH;
    }

    /** {@link #check}, and if fresh, remember the id from now on. */
    public Verdict record(byte[] messageId, long timeMillis, long nowMillis) {
        Verdict verdict = check(messageId, timeMillis, nowMillis);
        if (verdict != Verdict.FRESH) {
            return verdict;
        }
        remember(id(messageId), timeMillis);
        bound(nowMillis);
        return Verdict.FRESH;
    }

    private void remember(Id id, long timeMillis) {
        if (ids.add(id)) {
            byTime.add(new Entry(id, timeMillis));
        }
    }

    /** Forgets ids too old to matter, then the oldest ones beyond the count, raising the floor past them. */
    private void bound(long nowMillis) {
        while (!byTime.isEmpty() && byTime.peek().timeMillis() < nowMillis - maxAgeMillis) {
            ids.remove(byTime.poll().id());
        }
        while (ids.size() > maxEntries) {
            Entry oldest = byTime.poll();
            ids.remove(oldest.id());
            floorMillis = Math.max(floorMillis, oldest.timeMillis());
        }
    }

    public int size() {
        return ids.size();
    }

    /** No envelope at or before this time is accepted any more (ids were forgotten to stay within the bound). */
    public long floorMillis() {
        return floorMillis;
    }

    /** What to save: every id remembered, oldest first. */
    public List<Seen> entries() {
        List<Entry> ordered = new ArrayList<>(byTime);
        ordered.sort(byTime.comparator());
        List<Seen> out = new ArrayList<>(ordered.size());
        for (Entry e : ordered) {
            out.add(new Seen(ByteBuffer.allocate(Envelope.MESSAGE_ID_LENGTH).putLong(e.id().high()).putLong(e.id().low()).array(),
                    e.timeMillis()));
        }
        return out;
    }

    /** Restores what {@link #entries()} and {@link #floorMillis()} gave, within this cache's bounds. */
    public void restore(long floor, List<Seen> seen, long nowMillis) {
        floorMillis = Math.max(floorMillis, floor);
        for (Seen s : seen) {
            remember(id(s.messageId()), s.timeMillis());
        }
        bound(nowMillis);
    }

    private static Id id(byte[] messageId) {
        if (messageId.length != Envelope.MESSAGE_ID_LENGTH) {
            throw new IllegalArgumentException("a message id is 16 bytes");
        }
        ByteBuffer id = ByteBuffer.wrap(messageId);
        return new Id(id.getLong(), id.getLong());
    }
}
