package io.ciphergram.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process UDP proxy on loopback that makes the link between clients and a server hostile: it loses,
 * duplicates, delays, reorders and replays datagrams, each direction on its own.
 *
 * <p>Clients send to {@link #address()}. Each distinct client source address gets its own upstream-facing
 * socket, so the server sees one peer per client (as behind a NAT) and its replies go back to the right
 * client. Anything arriving on a client's upstream-facing socket is relayed to that client.
 *
 * <p>One daemon thread does everything: it waits on a {@link Selector}, decides each datagram's fate with a
 * {@link Random} per direction seeded from the constructor's seed, and sends what is due from a queue
 * ordered by due time. The decisions are therefore reproducible for a given order of arrivals; the real
 * timing of threads is not, and need not be. {@link #close()} stops the thread and releases every port.
 */
public final class LossyUdpProxy implements AutoCloseable {

    /** The largest UDP payload the proxy reads; the IPv4 limit of 65,507 bytes is below it. */
    public static final int MAX_DATAGRAM = 65_535;
    /** Thread names start with this, so tests can check that none outlives {@link #close()}. */
    public static final String THREAD_NAME_PREFIX = "lossy-udp-proxy-";
    /** How many forwarded datagrams per client and direction are kept as candidates for a replay. */
    static final int REPLAY_HISTORY = 128;
    /** Datagrams read from one socket before the others get a turn. */
    private static final int READS_PER_TURN = 64;
    /** Asked for, not guaranteed: the kernel caps it at net.core.rmem_max. */
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final long CLOSE_WAIT_MILLIS = 1_000;

    /** Which way a datagram travels. */
    public enum Direction {
        CLIENT_TO_SERVER, SERVER_TO_CLIENT
    }

    /**
     * What the link does to each datagram, the same in both directions but decided independently in each.
     *
     * @param lossRate            fraction of datagrams dropped
     * @param duplicateRate       fraction of forwarded datagrams sent twice, back to back
     * @param reorderRate         fraction of forwarded datagrams held back by an extra delay of 1 to
     *                            {@code maxExtraDelayMillis}, so that later datagrams overtake them
     * @param maxExtraDelayMillis the longest extra delay for reordering and for replays
     * @param replayRate          per datagram received, the chance that a copy of a random earlier forwarded
     *                            datagram of the same client and direction is sent again
     * @param baseDelayMillis     delay added to every datagram
     */
    public record Impairment(double lossRate, double duplicateRate, double reorderRate, long maxExtraDelayMillis,
            double replayRate, long baseDelayMillis) {

        public Impairment {
            requireRate("lossRate", lossRate);
            requireRate("duplicateRate", duplicateRate);
            requireRate("reorderRate", reorderRate);
            requireRate("replayRate", replayRate);
            if (maxExtraDelayMillis < 0 || baseDelayMillis < 0) {
                throw new IllegalArgumentException("delays must not be negative");
            }
            if (reorderRate > 0 && maxExtraDelayMillis == 0) {
                throw new IllegalArgumentException("reordering needs a maxExtraDelayMillis above zero");
            }
        }

        /** A perfect link: everything arrives once, in order, at once. */
        public static Impairment none() {
            return new Impairment(0, 0, 0, 0, 0, 0);
        }

        /** 20% loss each way, 5% duplication, 10% reordered by up to 30 ms, 2% replays. */
        public static Impairment harsh() {
            return new Impairment(0.20, 0.05, 0.10, 30, 0.02, 0);
        }

        public Impairment withLossRate(double rate) {
            return new Impairment(rate, duplicateRate, reorderRate, maxExtraDelayMillis, replayRate,
                    baseDelayMillis);
        }

        private static void requireRate(String name, double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(name + " must be within [0, 1]: " + rate);
            }
        }
    }

    /**
     * A snapshot of what happened in one direction. Every datagram {@code received} is either
     * {@code dropped} or {@code forwarded}; {@code duplicated} and {@code replayed} count extra copies;
     * {@code sent} counts datagrams actually written to a socket, so once the link is quiet
     * {@code sent == forwarded + duplicated + replayed}.
     */
    public record Counters(long received, long dropped, long forwarded, long duplicated, long reordered,
            long replayed, long sent) {

        /** Copies scheduled but not yet sent: the ones still held back by a delay. */
        public long inFlight() {
            return forwarded + duplicated + replayed - sent;
        }
    }

    private final InetSocketAddress upstream;
    private final Impairment impairment;
    private final Selector selector;
    private final DatagramChannel front;
    private final InetSocketAddress address;
    /** Written by the forwarding thread only; concurrent so that {@link #close()} can read it as a fallback. */
    private final Map<SocketAddress, Flow> flowsByClient = new ConcurrentHashMap<>();
    private final Map<Direction, Random> randoms = new EnumMap<>(Direction.class);
    private final Map<Direction, Tally> tallies = new EnumMap<>(Direction.class);
    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;
    private long order;

    private LossyUdpProxy(InetSocketAddress upstream, Impairment impairment, long seed) throws IOException {
        this.upstream = upstream;
        this.impairment = impairment;
        this.randoms.put(Direction.CLIENT_TO_SERVER, new Random(seed));
        this.randoms.put(Direction.SERVER_TO_CLIENT, new Random(~seed));
        for (Direction direction : Direction.values()) {
            tallies.put(direction, new Tally());
        }
        this.selector = Selector.open();
        try {
            this.front = openLoopbackChannel();
            front.register(selector, SelectionKey.OP_READ, null);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        this.address = (InetSocketAddress) front.getLocalAddress();
        this.thread = new Thread(this::run, THREAD_NAME_PREFIX + address.getPort());
        thread.setDaemon(true);
    }

    /**
     * Starts a proxy in front of {@code upstream}, which must be a loopback address.
     *
     * @param seed seeds the per-direction random decisions
     */
    public static LossyUdpProxy start(InetSocketAddress upstream, Impairment impairment, long seed)
            throws IOException {
        if (upstream.isUnresolved() || !upstream.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the proxy only serves loopback: " + upstream);
        }
        LossyUdpProxy proxy = new LossyUdpProxy(upstream, impairment, seed);
        proxy.thread.start();
        return proxy;
    }

    /** Where clients send: 127.0.0.1 and the port the proxy bound. */
    public InetSocketAddress address() {
        return address;
    }

    public Impairment impairment() {
        return impairment;
    }

    public Counters counters(Direction direction) {
        return tallies.get(direction).snapshot();
    }

    /** Exceptions the forwarding thread caught and survived (failed sends, failed socket opens). */
    public long failures() {
        return failures.get();
    }

    /** Stops the forwarding thread, drops whatever is still delayed, and releases every port. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
        // Idempotent: the thread normally did this already; it is the fallback if the thread is stuck.
        closeSockets();
    }

    private void run() {
        try {
            while (!closed) {
                try {
                    selectUntilNextDue();
                    if (closed) {
                        break;
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        if (key.isValid() && key.isReadable()) {
                            readFrom(key);
                        }
                    }
                    selector.selectedKeys().clear();
                    sendDue();
                } catch (ClosedSelectorException e) {
                    break;
                } catch (IOException | RuntimeException e) {
                    failures.incrementAndGet();
                }
            }
        } finally {
            pending.clear();
            closeSockets();
        }
    }

    private void selectUntilNextDue() throws IOException {
        Pending next = pending.peek();
        if (next == null) {
            selector.select();
            return;
        }
        long waitNanos = next.dueNanos - System.nanoTime();
        if (waitNanos <= 0) {
            selector.selectNow();
        } else {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
        }
    }

    private void readFrom(SelectionKey key) throws IOException {
        DatagramChannel channel = (DatagramChannel) key.channel();
        Flow flowOfUpstreamSocket = (Flow) key.attachment();
        for (int i = 0; i < READS_PER_TURN; i++) {
            buffer.clear();
            SocketAddress source = channel.receive(buffer);
            if (source == null) {
                return;
            }
            buffer.flip();
            byte[] datagram = new byte[buffer.remaining()];
            buffer.get(datagram);
            if (flowOfUpstreamSocket == null) {
                Flow flow = flowFor(source);
                if (flow != null) {
                    impair(Direction.CLIENT_TO_SERVER, flow, datagram);
                }
            } else {
                impair(Direction.SERVER_TO_CLIENT, flowOfUpstreamSocket, datagram);
            }
        }
    }

    private Flow flowFor(SocketAddress client) {
        Flow flow = flowsByClient.get(client);
        if (flow != null) {
            return flow;
        }
        DatagramChannel channel = null;
        try {
            channel = openLoopbackChannel();
            flow = new Flow(client, channel);
            channel.register(selector, SelectionKey.OP_READ, flow);
            flowsByClient.put(client, flow);
            return flow;
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            if (channel != null) {
                closeQuietly(channel);
            }
            return null;
        }
    }

    /** Decides one datagram's fate. Only the forwarding thread calls this, so the randoms need no lock. */
    private void impair(Direction direction, Flow flow, byte[] datagram) {
        Random random = randoms.get(direction);
        Tally tally = tallies.get(direction);
        ArrayDeque<byte[]> history = flow.history(direction);
        long now = System.nanoTime();
        long baseDelay = TimeUnit.MILLISECONDS.toNanos(impairment.baseDelayMillis());
        tally.received.incrementAndGet();

        // An attacker replays what it saw earlier on the wire, whether or not this datagram survives.
        if (!history.isEmpty() && random.nextDouble() < impairment.replayRate()) {
            byte[] old = pick(history, random);
            schedule(direction, flow, old, now + baseDelay + extraDelay(random));
            tally.replayed.incrementAndGet();
        }
        if (random.nextDouble() < impairment.lossRate()) {
            tally.dropped.incrementAndGet();
            return;
        }
        long due = now + baseDelay;
        if (random.nextDouble() < impairment.reorderRate()) {
            due += extraDelay(random);
            tally.reordered.incrementAndGet();
        }
        tally.forwarded.incrementAndGet();
        schedule(direction, flow, datagram, due);
        if (random.nextDouble() < impairment.duplicateRate()) {
            tally.duplicated.incrementAndGet();
            schedule(direction, flow, datagram, due);
        }
        if (history.size() == REPLAY_HISTORY) {
            history.removeFirst();
        }
        history.addLast(datagram);
    }

    /** 1 to maxExtraDelayMillis, never zero, so a held-back datagram really is overtaken. */
    private long extraDelay(Random random) {
        long max = impairment.maxExtraDelayMillis();
        return max == 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(1 + random.nextLong(max));
    }

    private static byte[] pick(ArrayDeque<byte[]> history, Random random) {
        int index = random.nextInt(history.size());
        var iterator = history.iterator();
        for (int i = 0; i < index; i++) {
            iterator.next();
        }
        return iterator.next();
    }

    private void schedule(Direction direction, Flow flow, byte[] datagram, long dueNanos) {
        pending.add(new Pending(dueNanos, order++, direction, flow, datagram));
    }

    private void sendDue() {
        long now = System.nanoTime();
        List<Pending> retry = new ArrayList<>();
        while (!pending.isEmpty() && pending.peek().dueNanos <= now) {
            Pending p = pending.poll();
            try {
                boolean toServer = p.direction == Direction.CLIENT_TO_SERVER;
                DatagramChannel channel = toServer ? p.flow.upstreamFacing : front;
                SocketAddress target = toServer ? upstream : p.flow.client;
                if (channel.send(ByteBuffer.wrap(p.datagram), target) == 0) {
                    // The socket's send buffer is full for now: try again shortly rather than lose it.
                    retry.add(new Pending(now + TimeUnit.MILLISECONDS.toNanos(1), p.order, p.direction, p.flow,
                            p.datagram));
                } else {
                    tallies.get(p.direction).sent.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                failures.incrementAndGet();
            }
        }
        pending.addAll(retry);
    }

    private synchronized void closeSockets() {
        try {
            selector.close();
        } catch (IOException e) {
            failures.incrementAndGet();
        }
        closeQuietly(front);
        for (Flow flow : flowsByClient.values()) {
            closeQuietly(flow.upstreamFacing);
        }
    }

    private void closeQuietly(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            failures.incrementAndGet();
        }
    }

    private static DatagramChannel openLoopbackChannel() throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channel.configureBlocking(false);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** One client as the proxy knows it: its address, its own socket towards the server, its history. */
    private static final class Flow {
        final SocketAddress client;
        final DatagramChannel upstreamFacing;
        final Map<Direction, ArrayDeque<byte[]>> histories = new EnumMap<>(Direction.class);

        Flow(SocketAddress client, DatagramChannel upstreamFacing) {
            this.client = client;
            this.upstreamFacing = upstreamFacing;
            for (Direction direction : Direction.values()) {
                histories.put(direction, new ArrayDeque<>());
            }
        }

        ArrayDeque<byte[]> history(Direction direction) {
            return histories.get(direction);
        }
    }

    /** A copy waiting for its time; ties keep the order of scheduling, so a duplicate follows its original. */
    private record Pending(long dueNanos, long order, Direction direction, Flow flow, byte[] datagram)
            implements Comparable<Pending> {

        @Override
        public int compareTo(Pending other) {
            int byDue = Long.compare(dueNanos - other.dueNanos, 0);
            return byDue != 0 ? byDue : Long.compare(order, other.order);
        }
    }

    private static final class Tally {
        final AtomicLong received = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong forwarded = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong reordered = new AtomicLong();
        final AtomicLong replayed = new AtomicLong();
        final AtomicLong sent = new AtomicLong();

        /** Reads {@code sent} first, so a snapshot never shows more sent than scheduled. */
        Counters snapshot() {
            long sentSoFar = sent.get();
            return new Counters(received.get(), dropped.get(), forwarded.get(), duplicated.get(), reordered.get(),
                    replayed.get(), sentSoFar);
        }
    }
}
