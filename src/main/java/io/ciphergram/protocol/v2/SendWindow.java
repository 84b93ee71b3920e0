package io.ciphergram.protocol.v2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The sending half of one direction's reliability: gives outgoing fragments consecutive sequence numbers,
 * keeps each until an Ack covers it (cumulatively or selectively), and says which are due again at a given
 * time (RTO per fragment, doubled per retransmission). Gives the session up when one fragment has been
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
        SEQUENCE_EXHAUSTED
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
        /** It acknowledges sequences never sent: ignored whole. */
        INVALID
    }

    private final RttEstimator rtt;
    private final int window;
    private final int maxRetransmissions;
    private final long giveUpNanos;
    private final TreeMap<Long, InFlight> unacknowledged = new TreeMap<>();
    private long nextSequence;
    private Failure failure;
    private long retransmissionCount;
    private long invalidAcks;

    public SendWindow(RttEstimator rtt) {
        this(rtt, ReliableConstants.SEND_WINDOW, ReliableConstants.MAX_RETRANSMISSIONS,
                ReliableConstants.GIVE_UP_AFTER_NANOS);
    }

    public SendWindow(RttEstimator rtt, int window, int maxRetransmissions, long giveUpNanos) {
        if (window < 1 || maxRetransmissions < 0 || giveUpNanos <= 0) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.rtt = rtt;
        this.window = window;
        this.maxRetransmissions = maxRetransmissions;
        this.giveUpNanos = giveUpNanos;
    }

    /** Only for tests of sequence exhaustion: starts numbering at {@code firstSequence}. */
    SendWindow(RttEstimator rtt, int window, int maxRetransmissions, long giveUpNanos, long firstSequence) {
        this(rtt, window, maxRetransmissions, giveUpNanos);
        this.nextSequence = firstSequence;
    }

    /** Whether {@link #send} may be called now: window not full and the session not given up. */
    public boolean hasRoom() {
        return failure == null && nextSequence - lowestUnacknowledged() < window
                && nextSequence <= ReliableConstants.MAX_SEQUENCE;
    }

    /**
     * Gives {@code fragment} the next sequence number and starts its retransmission timer. Check
     * {@link #hasRoom()} first; once sequences run out the session is given up ({@link FailureCause#SEQUENCE_EXHAUSTED}).
     */
    public ReliableFrame.Data send(Fragment fragment, long nowNanos) {
        if (failure == null && nextSequence > ReliableConstants.MAX_SEQUENCE) {
            failure = new Failure(FailureCause.SEQUENCE_EXHAUSTED, nextSequence);
        }
        if (!hasRoom()) {
            throw new IllegalStateException(failure != null ? "session given up: " + failure : "send window full");
        }
        ReliableFrame.Data data = ReliableFrame.Data.of(nextSequence, fragment);
        unacknowledged.put(nextSequence, new InFlight(data, nowNanos, nowNanos + rtt.rtoNanos()));
        nextSequence++;
        return data;
    }

    /** Applies an Ack: forgets every fragment it covers and takes an RTT sample if Karn allows one. */
    public AckOutcome onAck(ReliableFrame.Ack ack, long nowNanos) {
        List<ReliableFrame.AckRange> ranges = ack.ranges();
        if (ack.cumulative() > nextSequence
                || (!ranges.isEmpty() && ranges.get(ranges.size() - 1).last() >= nextSequence)) {
            invalidAcks++;
            return AckOutcome.INVALID;
        }
        InFlight newestSampleable = null;
        int acked = 0;
        Iterator<InFlight> below = unacknowledged.headMap(ack.cumulative()).values().iterator();
        while (below.hasNext()) {
            InFlight f = below.next();
            newestSampleable = sampleable(f, newestSampleable);
            below.remove();
            acked++;
        }
        for (ReliableFrame.AckRange r : ranges) {
            Iterator<InFlight> in = unacknowledged.subMap(r.first(), true, r.last(), true).values().iterator();
            while (in.hasNext()) {
                InFlight f = in.next();
                newestSampleable = sampleable(f, newestSampleable);
                in.remove();
                acked++;
            }
        }
        if (newestSampleable != null) {
            rtt.sample(nowNanos - newestSampleable.lastSentNanos);
        }
        return acked > 0 ? AckOutcome.PROGRESS : AckOutcome.NOTHING_NEW;
    }

    /**
     * The fragments whose timers have run out at {@code nowNanos}, in sequence order, restarted with a
     * doubled timeout. Empty once the session is given up; check {@link #failure()} after each call.
     */
    public List<ReliableFrame.Data> retransmissionsDue(long nowNanos) {
        List<ReliableFrame.Data> due = new ArrayList<>();
        if (failure != null) {
            return due;
        }
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
            f.deadlineNanos = nowNanos + rtt.backedOffRtoNanos(f.retransmissions);
            retransmissionCount++;
            due.add(f.data);
        }
        return due;
    }

    /** When {@link #retransmissionsDue} next has work (a timer or the give-up deadline); MAX_VALUE if never. */
    public long nextTimeoutNanos() {
        if (failure != null) {
            return Long.MAX_VALUE;
        }
        long next = Long.MAX_VALUE;
        for (InFlight f : unacknowledged.values()) {
            next = Math.min(next, Math.min(f.deadlineNanos, f.firstSentNanos + giveUpNanos));
        }
        return next;
    }

    /** True when every fragment sent has been acknowledged (and the session was not given up). */
    public boolean allAcknowledged() {
        return failure == null && unacknowledged.isEmpty();
    }

    /** Whether every sequence number has been used: nothing more can be sent in this session. */
    public boolean sequencesExhausted() {
        return nextSequence > ReliableConstants.MAX_SEQUENCE;
    }

    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    public int unacknowledgedCount() {
        return unacknowledged.size();
    }

    public long nextSequence() {
        return nextSequence;
    }

    /** The oldest sequence not yet acknowledged, or the next to be sent if all are. */
    public long lowestUnacknowledged() {
        return unacknowledged.isEmpty() ? nextSequence : unacknowledged.firstKey();
    }

    /** Retransmissions made so far. */
    public long retransmissionCount() {
        return retransmissionCount;
    }

    /** Acks ignored for acknowledging sequences never sent. */
    public long invalidAcks() {
        return invalidAcks;
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

        InFlight(ReliableFrame.Data data, long sentNanos, long deadlineNanos) {
            this.data = data;
            this.firstSentNanos = sentNanos;
            this.lastSentNanos = sentNanos;
            this.deadlineNanos = deadlineNanos;
        }
    }
}
