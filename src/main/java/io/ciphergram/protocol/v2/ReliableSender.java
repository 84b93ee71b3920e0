package io.ciphergram.protocol.v2;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.ciphergram.protocol.TokenBucket;

/**
 * One direction's outbound message pipeline: queues messages, splits them into fragments, paces new
 * messages to the server-stated rate, and feeds fragments into the {@link SendWindow} as it has room.
 * The caller sends whatever {@link #poll} returns, hands Acks to {@link #onAck}, and calls {@link #poll}
 * again no later than {@link #nextWakeNanos}.
 *
 * <p>Pacing charges one token per message, taken when its first fragment is sent, so a 64 KiB message costs
 * what a one-line message costs; retransmissions are not charged (they replace datagrams that were lost).
 * Pure and not thread-safe.
 */
public final class ReliableSender {

    private final Fragmenter fragmenter;
    private final SendWindow window;
    private final TokenBucket pacer;
    private final int maxQueuedBytes;
    /** Fragments not yet sent, message after message; a message's first fragment waits for a token. */
    private final ArrayDeque<Fragment> queued = new ArrayDeque<>(1); // grows when used: most sessions are idle
    private long queuedBytes;
    /**
     * Which sent fragments end a message not yet acknowledged whole: bit {@code i} stands for sequence
     * {@code endsBase + i}. Every fragment in flight lies within the window from the lowest unacknowledged one
     * on, and {@code endsBase} follows that lowest one, so one word holds them (the window is at most 64).
     */
    private long messageEnds;
    private long endsBase;
    private long acknowledgedMessages;

    /** Defaults of {@link V2Constants}, paced by {@code pacer}. */
    public ReliableSender(TokenBucket pacer) {
        this(pacer, V2Constants.MAX_SEND_QUEUE_BYTES);
    }

    public ReliableSender(TokenBucket pacer, int maxQueuedBytes) {
        this(pacer, maxQueuedBytes, ReliableEvents.NONE);
    }

    public ReliableSender(TokenBucket pacer, int maxQueuedBytes, ReliableEvents events) {
        this(new Fragmenter(), new SendWindow(new RttEstimator(), events), pacer, maxQueuedBytes);
    }

    public ReliableSender(Fragmenter fragmenter, SendWindow window, TokenBucket pacer, int maxQueuedBytes) {
        if (window.size() > Long.SIZE) {
            throw new IllegalArgumentException("a sender counts the messages of a window of at most 64 fragments");
        }
        this.fragmenter = fragmenter;
        this.window = window;
        this.pacer = pacer;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /**
     * Queues {@code message} and returns its message id, or empty when the queue is full (try again after
     * some of it has been sent). A message longer than {@link V2Constants#MAX_MESSAGE} is a caller bug.
     */
    public Optional<Long> offer(byte[] message) {
        if (queuedBytes + message.length > maxQueuedBytes && !queued.isEmpty()) {
            return Optional.empty();
        }
        List<Fragment> fragments = fragmenter.split(message);
        queued.addAll(fragments);
        queuedBytes += message.length;
        return Optional.of(fragments.get(0).messageId());
    }

    /** The Data frames to send now: retransmissions that are due, then new fragments as window and pacing allow. */
    public List<ReliableFrame.Data> poll(long nowNanos) {
        List<ReliableFrame.Data> out = new ArrayList<>(window.retransmissionsDue(nowNanos));
        while (!queued.isEmpty() && window.hasRoom()) {
            Fragment next = queued.peekFirst();
            if (next.index() == 0 && !pacer.tryTake(nowNanos)) {
                break;
            }
            queued.removeFirst();
            queuedBytes -= next.payload().length;
            ReliableFrame.Data data = window.send(next, nowNanos);
            if (next.index() == next.count() - 1) {
                acknowledgedUpTo(window.lowestUnacknowledged());
                messageEnds |= 1L << (data.sequence() - endsBase);
            }
            out.add(data);
        }
        return out;
    }

    public SendWindow.AckOutcome onAck(ReliableFrame.Ack ack, long nowNanos) {
        SendWindow.AckOutcome outcome = window.onAck(ack, nowNanos);
        acknowledgedUpTo(window.lowestUnacknowledged());
        return outcome;
    }

    /** Every fragment below {@code lowest} is acknowledged: the messages that end there are whole. */
    private void acknowledgedUpTo(long lowest) {
        long shift = lowest - endsBase;
        if (shift <= 0) {
            return;
        }
        long below = shift >= Long.SIZE ? messageEnds : messageEnds & ((1L << shift) - 1);
        acknowledgedMessages += Long.bitCount(below);
        messageEnds = shift >= Long.SIZE ? 0 : messageEnds >>> shift;
        endsBase = lowest;
    }

    /**
     * How many messages, counted from the first one offered, have been acknowledged whole: every fragment
     * of each, and of every message before it. A client that must start a new session offers the rest again.
     */
    public long acknowledgedMessages() {
        return acknowledgedMessages;
    }

    /**
     * The latest time {@link #poll} must be called again: a retransmission timer, or the next pacing token
     * when a message waits for one. Long.MAX_VALUE when only an Ack (or a new message) can create work.
     */
    public long nextWakeNanos(long nowNanos) {
        long next = window.nextTimeoutNanos();
        if (!queued.isEmpty() && window.hasRoom()) {
            long wait = queued.peekFirst().index() == 0 ? pacer.nanosUntilToken(nowNanos) : 0;
            next = Math.min(next, nowNanos + wait);
        }
        return next;
    }

    /**
     * True when every message offered has been sent and acknowledged: the moment the console client may
     * exit 0. Never true after the session was given up.
     */
    public boolean allAcknowledged() {
        return queued.isEmpty() && window.allAcknowledged();
    }

    /** Why the session was given up, if it was; the caller then closes the session and reports failure. */
    public Optional<SendWindow.Failure> failure() {
        Optional<SendWindow.Failure> given = window.failure();
        if (given.isEmpty() && !queued.isEmpty() && window.sequencesExhausted()) {
            return Optional.of(new SendWindow.Failure(SendWindow.FailureCause.SEQUENCE_EXHAUSTED,
                    window.nextSequence()));
        }
        return given;
    }

    /** Message bytes queued and not yet sent. */
    public long queuedBytes() {
        return queuedBytes;
    }

    public SendWindow window() {
        return window;
    }
}
