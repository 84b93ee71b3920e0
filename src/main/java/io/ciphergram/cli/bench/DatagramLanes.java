package io.ciphergram.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The receive side: a few threads ({@code ciphergram-bench-receive-N}), each with its own Selector over its
 * share of the clients' sockets, UDP or WebSocket. For a UDP socket a thread reads every datagram that is
 * there into its one preallocated buffer and hands it to its client ({@link BenchClient#onDatagram}), which
 * decrypts and counts it on this thread; a {@link WebSocketEndpoint} does its own reading (and, when its
 * socket is writable again, writing) as a {@link LaneSocket}, and hands its client each message the same way.
 * Every socket is registered before the threads start, so no registration races a select.
 */
final class DatagramLanes implements AutoCloseable {

    /** A socket that reads (and writes) for itself when its lane's selector finds it ready. */
    interface LaneSocket {
        void ready(SelectionKey key, long nowNanos);
    }

    /** Datagrams read from one socket before the thread moves on to the next, so none starves the rest. */
    private static final int READS_PER_TURN = 64;
    /** Larger than any datagram either profile sends. */
    private static final int BUFFER = 65_536;

    private final Selector[] selectors;
    private final List<Thread> threads = new ArrayList<>();
    private final PrintStream err;
    private final AtomicBoolean reportedError = new AtomicBoolean();
    private volatile boolean running;

    DatagramLanes(int lanes, PrintStream err) throws IOException {
        this.selectors = new Selector[lanes];
        this.err = err;
        for (int i = 0; i < lanes; i++) {
            selectors[i] = Selector.open();
        }
    }

    int lanes() {
        return selectors.length;
    }

    /** Registers a client's socket with lane {@code lane}; before {@link #start} only. */
    void register(int lane, UdpEndpoint endpoint, BenchClient client) throws IOException {
        if (running) {
            throw new IllegalStateException("sockets are registered before the receive threads start");
        }
        endpoint.channel().register(selectors[lane], SelectionKey.OP_READ, client);
    }

    /** Registers a client's WebSocket with lane {@code lane}; before {@link #start} only. */
    void register(int lane, WebSocketEndpoint endpoint, BenchClient client) throws IOException {
        if (running) {
            throw new IllegalStateException("sockets are registered before the receive threads start");
        }
        endpoint.register(endpoint.channel().register(selectors[lane], SelectionKey.OP_READ, endpoint), client);
    }

    void start() {
        running = true;
        for (int i = 0; i < selectors.length; i++) {
            Selector selector = selectors[i];
            Thread thread = new Thread(() -> receive(selector), "ciphergram-bench-receive-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    List<Thread> threads() {
        return threads;
    }

    private void receive(Selector selector) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        try {
            while (running) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.attachment() instanceof LaneSocket socket) {
                        ready(socket, key);
                    } else {
                        drain((DatagramChannel) key.channel(), (BenchClient) key.attachment(), buffer);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (running) {
                throw new UncheckedIOException(e);
            }
        } catch (ClosedSelectorException e) {
            // closed while stopping
        }
    }

    private void drain(DatagramChannel channel, BenchClient client, ByteBuffer buffer) {
        for (int i = 0; i < READS_PER_TURN; i++) {
            buffer.clear();
            int length;
            try {
                length = channel.read(buffer);
            } catch (PortUnreachableException e) {
                continue; // an ICMP error for something sent earlier, not a datagram
            } catch (IOException e) {
                return; // closed
            }
            if (length <= 0) {
                return;
            }
            byte[] datagram = new byte[length];
            buffer.flip().get(datagram);
            try {
                client.onDatagram(datagram, System.nanoTime());
            } catch (RuntimeException e) {
                reportOnce(e);
            }
        }
    }

    private void ready(LaneSocket socket, SelectionKey key) {
        try {
            socket.ready(key, System.nanoTime());
        } catch (RuntimeException e) {
            reportOnce(e);
        }
    }

    private void reportOnce(RuntimeException e) {
        if (reportedError.compareAndSet(false, true)) {
            err.println("error: a received datagram could not be handled (reported once): " + e);
        }
    }

    @Override
    public void close() {
        running = false;
        for (Selector selector : selectors) {
            selector.wakeup();
        }
        for (Thread thread : threads) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Selector selector : selectors) {
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
