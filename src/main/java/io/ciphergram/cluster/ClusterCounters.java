package io.ciphergram.cluster;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What crossed the link, for the metrics endpoint. Any thread. */
public final class ClusterCounters {

    /** Why something from the bus was not used. */
    public enum Drop {
        /** larger than a message may be */
        OVERSIZE,
        /** not a message of ours: bad UTF-8, version, kind, field, name or id; or a snapshot entry of that kind */
        MALFORMED,
        /** a direct message for a user who is not a member here (it left meanwhile) */
        UNDELIVERABLE,
        /** a line already delivered here: its sender stored it again, not knowing the first copy was stored */
        DUPLICATE
    }

    private final Map<Drop, LongAdder> dropped = new EnumMap<>(Drop.class);
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder unsent = new LongAdder();
    private final LongAdder renamed = new LongAdder();
    private final LongAdder resent = new LongAdder();

    public ClusterCounters() {
        for (Drop drop : Drop.values()) {
            dropped.put(drop, new LongAdder());
        }
    }

    void published() {
        published.increment();
    }

    void resent() {
        resent.increment();
    }

    void received() {
        received.increment();
    }

    void dropped(Drop drop) {
        dropped.get(drop).increment();
    }

    /** A message not sent because the link was down. */
    void unsent() {
        unsent.increment();
    }

    /** A session renamed because another instance held its name. */
    void renamed() {
        renamed.increment();
    }

    public long publishedCount() {
        return published.sum();
    }

    public long receivedCount() {
        return received.sum();
    }

    public long droppedCount(Drop drop) {
        return dropped.get(drop).sum();
    }

    public long unsentCount() {
        return unsent.sum();
    }

    /** Lines sent to the other instances again: held while the link was down, or not confirmed stored. */
    public long resentCount() {
        return resent.sum();
    }

    public long renamedCount() {
        return renamed.sum();
    }
}
