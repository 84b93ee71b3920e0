package io.ciphergram.cli;

import java.net.SocketException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.ciphergram.cli.link.Link;

/**
 * The console client's side of a {@link Link}: what arrives waits here until its one reader takes it
 * ({@link ClassicConnection}'s caller, or {@link V2Connection}'s I/O thread), with a timeout. Thread-safe.
 */
final class Inbox implements Link.Receiver {

    /** Datagrams that may wait unread: far more than a v2 window, and a bound against a flooding peer. */
    private static final int CAPACITY = 4096;
    /** Marks the link's end; compared by identity. */
    private static final byte[] CLOSED = new byte[0];
    /** Wakes the reader early, as if its wait had run out; compared by identity. */
    private static final byte[] WAKE = new byte[0];

    private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>(CAPACITY);
    private volatile String closedBecause;

    @Override
    public void onDatagram(byte[] datagram) {
        queue.offer(datagram); // full: dropped, as a socket buffer drops, and left to the protocol's retries
    }

    @Override
    public void onClosed(String why) {
        if (closedBecause == null) {
            closedBecause = why;
        }
        queue.clear();
        queue.offer(CLOSED);
    }

    /** Makes the reader's current {@link #take} return null now (its timers changed). */
    void wakeUp() {
        queue.offer(WAKE);
    }

    /**
     * The next datagram, or null if none came within {@code timeoutMillis} (0: wait as long as it takes),
     * or it was woken.
     *
     * @throws SocketException once the link has ended, with why
     * @throws InterruptedException if the waiting thread is interrupted
     */
    byte[] take(long timeoutMillis) throws SocketException, InterruptedException {
        byte[] next = timeoutMillis == 0 ? queue.take() : queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (next == CLOSED) {
            queue.offer(CLOSED);
            throw new SocketException(closedBecause);
        }
        return next == WAKE ? null : next;
    }
}
