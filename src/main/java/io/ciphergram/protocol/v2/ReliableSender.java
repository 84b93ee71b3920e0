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
    private final ArrayDeque<Fragment> queued = new ArrayDeque<>();
    private long queuedBytes;

    /** Defaults of {@link ReliableConstants}, paced by {@code pacer}. */
    public ReliableSender(TokenBucket pacer) {
        this(pacer, ReliableConstants.MAX_SEND_QUEUE_BYTES);
    }

    public ReliableSender(TokenBucket pacer, int maxQueuedBytes) {
        this(new Fragmenter(), new SendWindow(new RttEstimator()), pacer, maxQueuedBytes);
    }

    public ReliableSender(Fragmenter fragmenter, SendWindow window, TokenBucket pacer, int maxQueuedBytes) {
        this.fragmenter = fragmenter;
        this.window = window;
        this.pacer = pacer;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /**
     * Queues {@code message} and returns its message id, or empty when the queue is full (try again after
     * some of it has been sent). A message longer than {@link ReliableConstants#MAX_MESSAGE} is a caller bug.
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
            out.add(window.send(next, nowNanos));
        }
        return out;
    }

    public SendWindow.AckOutcome onAck(ReliableFrame.Ack ack, long nowNanos) {
        return window.onAck(ack, nowNanos);
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
