package io.ciphergram.protocol.v2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The sending half of one direction's reliability: gives outgoing fragments consecutive sequence numbers,
 * keeps each until an Ack covers it (cumulatively or selectively), and says which are due again at a given
 * time: when its timer runs out (RTO, doubled per retransmission), or sooner when {@code duplicateThreshold}
 * fragments sent after it have been acknowledged (fast retransmit, RFC 5681 §3.2 and RFC 6675 applied to
 * selective acks; counting only fragments sent after its latest transmission means a retransmission is
 * not itself declared lost by acks of data that was already in flight). Gives the session up when one fragment has been
 * retransmitted {@code maxRetransmissions} times without an ack, or stayed unacknowledged for
 * {@code giveUpNanos}. Pure and not thread-safe.
 *
 * <p>Flow control: no sequence at or beyond (oldest unacknowledged + {@code window}) is sent, because the
 * receiver buffers only that far past its cumulative ack. Karn's algorithm: RTT samples come only from
 * fragments acked after a single transmission.
 */
public final class SendWindow {

    /** Why the session was given up. */
    public enum FailureCause {
        /** A fragment was retransmitted the maximum number of times and still not acknowledged. */
        MAX_RETRANSMISSIONS,
        /** A fragment stayed unacknowledged longer than the give-up time. */
        DEADLINE,
        /** All sequence numbers used while more was to be sent: the session must be replaced. */
        SEQUENCE_EXHAUSTED,
        /**
         * An Ack of sequences never sent: no honest peer sends one (a peer that acknowledges what it cannot
         * have received, to make the other end send it more than it reads, does): a protocol error.
         */
        INVALID_ACK
    }

    /** The session failed on {@code sequence} for {@code cause}. */
    public record Failure(FailureCause cause, long sequence) {
    }

    /** What an Ack did. */
    public enum AckOutcome {
        /** It acknowledged at least one outstanding fragment. */
        PROGRESS,
        /** Valid but nothing new (a duplicate, reordered or replayed Ack). */
        NOTHING_NEW,
        /** It acknowledges sequences never sent: a protocol error, and the session is given up. */
        INVALID
    }

    private final RttEstimator rtt;
    private final int window;
    private final int maxRetransmissions;
    private final long giveUpNanos;
    private final int duplicateThreshold;
    private final TreeMap<Long, InFlight> unacknowledged = new TreeMap<>();
    private long nextSequence;
    /** Payload bytes of the fragments sent and not yet acknowledged. */
    private long unacknowledgedBytes;
    private Failure failure;
    private final ReliableEvents events;
    /**
     * No fragment's timer or give-up deadline falls before this; exactly the earliest when {@code boundExact}.
     * Kept so that the checks made on every send and every timer are O(1) rather than a scan of the window:
     * sending only lowers it, an ack only removes fragments (so it stays a lower bound), and a scan makes it
     * exact again.
     */
    private long bound = Long.MAX_VALUE;
    private boolean boundExact = true;

    public SendWindow(RttEstimator rtt) {
        this(rtt, ReliableEvents.NONE);
    }

    public SendWindow(RttEstimator rtt, ReliableEvents events) {
        this(rtt, V2Constants.SEND_WINDOW, V2Constants.MAX_RETRANSMISSIONS,
                V2Constants.GIVE_UP_AFTER_NANOS, V2Constants.DUPLICATE_THRESHOLD, events);
    }

    /** A {@code duplicateThreshold} above {@code window} turns fast retransmit off. */
    public SendWindow(RttEstimator rtt, int window, int maxRetransmissions, long giveUpNanos, int duplicateThreshold) {
        this(rtt, window, maxRetransmissions, giveUpNanos, duplicateThreshold, ReliableEvents.NONE);
    }

    public SendWindow(RttEstimator rtt, int window, int maxRetransmissions, long giveUpNanos, int duplicateThreshold,
            ReliableEvents events) {
        if (window < 1 || maxRetransmissions < 0 || giveUpNanos <= 0 || duplicateThreshold < 1) {
            throw new IllegalArgumentException("window, give-up time and threshold must be positive");
        }
        this.rtt = rtt;
        this.window = window;
        this.maxRetransmissions = maxRetransmissions;
        this.giveUpNanos = giveUpNanos;
        this.duplicateThreshold = duplicateThreshold;
        this.events = events;
    }

    /** Only for tests of sequence exhaustion: a default window that starts numbering at {@code firstSequence}. */
    static SendWindow startingAt(long firstSequence, RttEstimator rtt) {
        SendWindow window = new SendWindow(rtt);
        window.nextSequence = firstSequence;
        return window;
    }

    /** How many consecutive sequence numbers, from the lowest unacknowledged one, may be in flight. */
    public int size() {
        return window;
    }

    /** Whether {@link #send} may be called now: window not full and the session not given up. */
    public boolean hasRoom() {
        return failure == null && nextSequence - lowestUnacknowledged() < window
                && nextSequence <= V2Constants.MAX_SEQUENCE;
    }

    /**
     * Gives {@code fragment} the next sequence number and starts its retransmission timer. Check
     * {@link #hasRoom()} first; once sequences run out the session is given up ({@link FailureCause#SEQUENCE_EXHAUSTED}).
     */
    public ReliableFrame.Data send(Fragment fragment, long nowNanos) {
        if (failure == null && nextSequence > V2Constants.MAX_SEQUENCE) {
            failure = new Failure(FailureCause.SEQUENCE_EXHAUSTED, nextSequence);
        }
        if (!hasRoom()) {
            throw new IllegalStateException(failure != null ? "session given up: " + failure : "send window full");
        }
        ReliableFrame.Data data = ReliableFrame.Data.of(nextSequence, fragment);
        InFlight sent = new InFlight(data, nowNanos, nowNanos + rtt.rtoNanos());
        unacknowledged.put(nextSequence, sent);
        unacknowledgedBytes += data.fragment().payload().length;
        bound = Math.min(bound, earliest(sent));
        nextSequence++;
        return data;
    }

    /** Applies an Ack: forgets every fragment it covers and takes an RTT sample if Karn allows one. */
    public AckOutcome onAck(ReliableFrame.Ack ack, long nowNanos) {
        List<ReliableFrame.AckRange> ranges = ack.ranges();
        if (ack.cumulative() > nextSequence
                || (!ranges.isEmpty() && ranges.get(ranges.size() - 1).last() >= nextSequence)) {
            if (failure == null) {
                failure = new Failure(FailureCause.INVALID_ACK, nextSequence);
            }
            return AckOutcome.INVALID;
        }
        List<InFlight> acked = new ArrayList<>();
        removeInto(unacknowledged.headMap(ack.cumulative()).values().iterator(), acked);
        for (ReliableFrame.AckRange r : ranges) {
            removeInto(unacknowledged.subMap(r.first(), true, r.last(), true).values().iterator(), acked);
        }
        if (acked.isEmpty()) {
            return AckOutcome.NOTHING_NEW;
        }
        boundExact = false;
        InFlight newestSampleable = null;
        for (InFlight f : acked) {
            newestSampleable = sampleable(f, newestSampleable);
        }
        if (newestSampleable != null) {
            rtt.sample(nowNanos - newestSampleable.lastSentNanos);
        }
        detectLoss(acked, nowNanos);
        return AckOutcome.PROGRESS;
    }

    /** Fast retransmit: a fragment is lost once enough fragments sent after it are acknowledged. */
    private void detectLoss(List<InFlight> acked, long nowNanos) {
        for (InFlight f : unacknowledged.values()) {
            for (InFlight a : acked) {
                if (a.sentAfter(f)) {
                    f.ackedSentAfter++;
                }
            }
            if (f.ackedSentAfter >= duplicateThreshold) {
                // RFC 8985 §6.2: allow a quarter round trip of reordering before calling it lost
                long reorderWindow = rtt.srttNanos() + rtt.srttNanos() / 4;
                f.deadlineNanos = Math.min(f.deadlineNanos, Math.max(nowNanos, f.lastSentNanos + reorderWindow));
                bound = Math.min(bound, f.deadlineNanos);
            }
        }
    }

    private void removeInto(Iterator<InFlight> covered, List<InFlight> acked) {
        while (covered.hasNext()) {
            InFlight f = covered.next();
            unacknowledgedBytes -= f.data.fragment().payload().length;
            acked.add(f);
            covered.remove();
        }
    }

    /**
     * The fragments whose timers have run out at {@code nowNanos}, in sequence order, restarted with a
     * doubled timeout. Empty once the session is given up; check {@link #failure()} after each call.
     */
    public List<ReliableFrame.Data> retransmissionsDue(long nowNanos) {
        if (failure != null || nowNanos < bound) {
            return new ArrayList<>(0);
        }
        List<ReliableFrame.Data> due = new ArrayList<>();
        for (InFlight f : unacknowledged.values()) {
            if (nowNanos - f.firstSentNanos >= giveUpNanos) {
                return fail(FailureCause.DEADLINE, f, due);
            }
            if (nowNanos < f.deadlineNanos) {
                continue;
            }
            if (f.retransmissions >= maxRetransmissions) {
                return fail(FailureCause.MAX_RETRANSMISSIONS, f, due);
            }
            f.retransmissions++;
            f.lastSentNanos = nowNanos;
            f.ackedSentAfter = 0;
            f.deadlineNanos = nowNanos + rtt.backedOffRtoNanos(f.retransmissions);
            events.on(ReliableEvents.Event.RETRANSMITTED);
            due.add(f.data);
        }
        recomputeBound();
        return due;
    }

    /** When {@link #retransmissionsDue} next has work (a timer or the give-up deadline); MAX_VALUE if never. */
    public long nextTimeoutNanos() {
        if (failure != null) {
            return Long.MAX_VALUE;
        }
        if (!boundExact) {
            recomputeBound();
        }
        return bound;
    }

    private void recomputeBound() {
        bound = Long.MAX_VALUE;
        for (InFlight f : unacknowledged.values()) {
            bound = Math.min(bound, earliest(f));
        }
        boundExact = true;
    }

    /** When {@code f} next needs attention: its timer, or its give-up deadline. */
    private long earliest(InFlight f) {
        return Math.min(f.deadlineNanos, f.firstSentNanos + giveUpNanos);
    }

    /** True when every fragment sent has been acknowledged (and the session was not given up). */
    public boolean allAcknowledged() {
        return failure == null && unacknowledged.isEmpty();
    }

    /** Whether every sequence number has been used: nothing more can be sent in this session. */
    public boolean sequencesExhausted() {
        return nextSequence > V2Constants.MAX_SEQUENCE;
    }

    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    public int unacknowledgedCount() {
        return unacknowledged.size();
    }

    /** Payload bytes of the fragments sent and not yet acknowledged. */
    public long unacknowledgedBytes() {
        return unacknowledgedBytes;
    }

    public long nextSequence() {
        return nextSequence;
    }

    /** The oldest sequence not yet acknowledged, or the next to be sent if all are. */
    public long lowestUnacknowledged() {
        return unacknowledged.isEmpty() ? nextSequence : unacknowledged.firstKey();
    }

    private List<ReliableFrame.Data> fail(FailureCause cause, InFlight f, List<ReliableFrame.Data> due) {
        failure = new Failure(cause, f.data.sequence());
        due.clear();
        return due;
    }

    private static InFlight sampleable(InFlight f, InFlight newest) {
        if (f.retransmissions > 0) {
            return newest; // Karn: an ack of a retransmitted fragment is ambiguous
        }
        return newest == null || f.lastSentNanos > newest.lastSentNanos ? f : newest;
    }

    private static final class InFlight {
        final ReliableFrame.Data data;
        final long firstSentNanos;
        long lastSentNanos;
        long deadlineNanos;
        int retransmissions;
        /** Fragments acknowledged that were sent after this one's latest transmission. */
        int ackedSentAfter;

        InFlight(ReliableFrame.Data data, long sentNanos, long deadlineNanos) {
            this.data = data;
            this.firstSentNanos = sentNanos;
            this.lastSentNanos = sentNanos;
            this.deadlineNanos = deadlineNanos;
        }

        /** Whether this fragment's latest transmission came after {@code other}'s (ties go by sequence). */
        boolean sentAfter(InFlight other) {
            return lastSentNanos > other.lastSentNanos
                    || (lastSentNanos == other.lastSentNanos && data.sequence() > other.data.sequence());
        }
    }
}
