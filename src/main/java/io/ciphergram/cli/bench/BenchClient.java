package io.ciphergram.cli.bench;

import java.nio.charset.StandardCharsets;

import io.ciphergram.cli.link.Link;

/**
 * One simulated client: its handshake as a state machine driven by what arrives ({@link #onDatagram}, on
 * a receive thread) and by time ({@link #tick}, on the {@link Ticker} thread at {@link #wakeAt}), then
 * sending ({@link #send}, on the {@link Sender} thread) and counting what it receives into its lane's
 * {@link DeliveryTally}. Subclasses say which state each thread may touch.
 */
abstract class BenchClient {

    /** What became of one message handed to {@link #send}. */
    enum SendOutcome { SENT, BACKPRESSURED, FAILED }

    /** Told once per handshake started, when it completes or gives up. */
    interface HandshakeListener {
        void done(BenchClient client, boolean joined);
    }


    /** How long a handshake step waits for its answer before it is sent again. */
    static final long RETRY_NANOS = 1_000_000_000L;

    /** The client's number among the active clients (its messages are those numbered index mod N); idle: -1. */
    final int index;
    final String name;
    final boolean idle;
    final ClientContext context;
    final DeliveryTally tally;
    Link endpoint;
    /** When {@link #tick} is next due (the Ticker reads it without the client's lock). */
    volatile long wakeAt = Long.MAX_VALUE;
    private volatile HandshakeListener listener;

    BenchClient(int index, String name, boolean idle, ClientContext context, DeliveryTally tally) {
        this.index = index;
        this.name = name;
        this.idle = idle;
        this.context = context;
        this.tally = tally;
    }

    void attach(Link endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Starts the handshake, which keeps trying until {@code deadlineNanos} (the phase's timeout, so that a
     * report saying "within N s" is true); {@code listener} hears once how it ended.
     */
    final void start(HandshakeListener listener, long nowNanos, long deadlineNanos) {
        this.listener = listener;
        begin(nowNanos, deadlineNanos);
    }

    abstract void begin(long nowNanos, long deadlineNanos);

    abstract void onDatagram(byte[] datagram, long nowNanos);

    abstract void tick(long nowNanos);

    /** Whether the client has joined the room (or, idle, finished its handshake) and may send. */
    abstract boolean ready();

    abstract SendOutcome send(byte[] text, long nowNanos);

    /** Ends the session politely if it can (classic /quit, v2 Close); best effort. */
    abstract void leave(long nowNanos);

    /** Gives up a handshake still running (the phase timed out): it reports failure and stops. */
    final synchronized void abandon() {
        if (!ready()) {
            fail();
        }
    }

    /** Stops the client for good; a handshake still running is reported as failed. */
    final synchronized void fail() {
        wakeAt = Long.MAX_VALUE;
        stop();
        handshakeDone(false);
    }

    /** Moves the subclass's own state to failed (under the client's lock). */
    abstract void stop();

    /** Reports the handshake's end, once. */
    final void handshakeDone(boolean joined) {
        HandshakeListener l = listener;
        listener = null;
        if (l != null) {
            l.done(this, joined);
        }
    }

    final boolean transmit(byte[] datagram) {
        boolean sent = endpoint.send(datagram);
        if (!sent) {
            context.sendFailures.increment();
        }
        return sent;
    }

    /**
     * A text that is not one of the run's messages: the relay's answer to the join command (true: the client's join
     * has been processed) or its flood control's notice, which is counted so the report can say why
     * messages were lost.
     */
    final boolean relayNotice(byte[] text) {
        if (startsWith(text, FLOODED_PREFIX)) {
            context.floodNotices.increment();
            return false;
        }
        return startsWith(text, context.joinedPrefix);
    }

    private static boolean startsWith(byte[] text, byte[] prefix) {
        if (text.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (text[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** What the relay tells a sender whose messages its flood control drops (docs/PROTOCOL.md, "Limits and pacing"). */
    private static final byte[] FLOODED_PREFIX = "* slow down:".getBytes(StandardCharsets.US_ASCII);
}
