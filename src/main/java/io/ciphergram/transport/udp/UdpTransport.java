package io.ciphergram.transport.udp;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.relay.ChatRelay;
import io.ciphergram.relay.Counters;
import io.ciphergram.relay.Egress;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The UDP edge: bytes in, bytes out, nothing else, on the JDK's own datagram channels.
 *
 * <p><b>Threads.</b> Each <em>lane</em> is one channel bound to the service's port (several share it with
 * {@code SO_REUSEPORT}, and the kernel spreads the clients over them by address) and one receive thread
 * ({@code ciphergram-udp-N}) that waits on its own selector, drains every datagram the socket holds and
 * posts each to the relay thread with the sender's {@link PeerId}. The relay thread sends itself: a
 * non-blocking {@code sendto} on the first lane's channel straight from its {@link Egress}, so a datagram
 * leaves in the turn that produced it, with no hand-over to another thread. A send the kernel refuses (the
 * socket's send buffer is full) is counted as a failed send, as a datagram lost on the path would be.
 *
 * <p><b>Why not Vert.x's datagram socket</b> (docs/BENCHMARKS.md has the figures): on its NIO transport it
 * cannot share a port ({@code SO_REUSEPORT} needs Netty's native epoll transport, which Quarkus does not
 * bring; its Linux file does resolve, and an epoll lane that sends with {@code sendmmsg} was tried and did not
 * pay), its receive-buffer option is also Netty's per-read buffer (so the
 * socket buffer could not be raised without megabyte reads, and bursts overflowed the 64 KiB one), and every
 * send re-resolved a host string and went through a promise on the event loop, which also did every read.
 */
@ApplicationScoped
public class UdpTransport {

    private static final Logger LOG = Logger.getLogger(UdpTransport.class);
    /** Any UDP datagram fits, so an oversize one arrives whole and is counted rather than cut. */
    private static final int MAX_DATAGRAM = 65_536;

    private final ChatRelay relay;
    private final Counters counters;
    private final String host;
    private final int port;
    private final int lanes;
    private final int receiveBuffer;
    private final int sendBuffer;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final List<Selector> selectors = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile DatagramChannel sending;
    private volatile int boundPort = -1;

    @Inject
    public UdpTransport(ChatRelay relay, Counters counters,
            @ConfigProperty(name = "ciphergram.udp.host", defaultValue = "0.0.0.0") String host,
            @ConfigProperty(name = "ciphergram.udp.port", defaultValue = "12345") int port,
            @ConfigProperty(name = "ciphergram.udp.receive-threads", defaultValue = "0") int receiveThreads,
            @ConfigProperty(name = "ciphergram.udp.receive-buffer", defaultValue = "4194304") int receiveBuffer,
            @ConfigProperty(name = "ciphergram.udp.send-buffer", defaultValue = "1048576") int sendBuffer) {
        this.relay = relay;
        this.counters = counters;
        this.host = host;
        this.port = port;
        this.lanes = receiveThreads > 0 ? receiveThreads : Math.min(4, Runtime.getRuntime().availableProcessors());
        this.receiveBuffer = receiveBuffer;
        this.sendBuffer = sendBuffer;
    }

    /** With the defaults: one lane per core (at most four), 4 MiB to receive and 1 MiB to send on each socket. */
    public UdpTransport(ChatRelay relay, Counters counters, String host, int port) {
        this(relay, counters, host, port, 0, 4 << 20, 1 << 20);
    }

    public synchronized void start(@Observes StartupEvent event) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        ProtocolFamily family = address instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        try {
            int bindTo = port;
            for (int lane = 0; lane < lanes; lane++) {
                DatagramChannel channel = DatagramChannel.open(family);
                channels.add(channel);
                if (lanes > 1) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
                channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
                channel.bind(new InetSocketAddress(address, bindTo));
                bindTo = ((InetSocketAddress) channel.getLocalAddress()).getPort(); // port 0: the others join the first's
                channel.configureBlocking(false);
                Selector selector = Selector.open();
                selectors.add(selector);
                channel.register(selector, SelectionKey.OP_READ);
            }
            boundPort = bindTo;
        } catch (IOException | RuntimeException e) {
            closeAll();
            throw e;
        }
        for (int lane = 0; lane < lanes; lane++) {
            DatagramChannel channel = channels.get(lane);
            Selector selector = selectors.get(lane);
            Thread thread = new Thread(() -> receive(channel, selector), "ciphergram-udp-" + lane);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        sending = channels.get(0);
        relay.attach(PeerId.UDP, new UdpEgress());
        int granted = channels.get(0).getOption(StandardSocketOptions.SO_RCVBUF);
        LOG.infof("Ciphergram UDP listening on %s:%d (%d receive threads, %d KiB receive buffer each)", host, boundPort,
                lanes, granted / 1024);
        if (granted < receiveBuffer) {
            LOG.warnf("the kernel granted a %d KiB UDP receive buffer of the %d KiB asked for: bursts may overflow it;"
                    + " raise net.core.rmem_max", granted / 1024, receiveBuffer / 1024);
        }
    }

    /** Closed on shutdown so that a dev-mode live reload rebinds the port cleanly. */
    public synchronized void stop(@Observes ShutdownEvent event) throws InterruptedException {
        relay.detach(PeerId.UDP);
        sending = null;
        closeAll();
        for (Thread thread : threads) {
            thread.join(5_000);
        }
        threads.clear();
        boundPort = -1;
    }

    private void closeAll() {
        for (Selector selector : selectors) {
            closeQuietly(selector);
        }
        for (DatagramChannel channel : channels) {
            closeQuietly(channel);
        }
        selectors.clear();
        channels.clear();
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** The bound UDP port (useful when configured as 0), or -1 when not listening. */
    public int port() {
        return boundPort;
    }

    public boolean listening() {
        return sending != null;
    }

    /**
     * Datagrams the kernel dropped at this transport's sockets because their receive buffers were full
     * (Linux: the last column of {@code /proc/net/udp} and {@code udp6} for our port), or -1 where that
     * cannot be read. Cumulative since the sockets were opened.
     */
    public long kernelDrops() {
        int bound = boundPort;
        if (bound < 0) {
            return 0;
        }
        String portHex = String.format(":%04X", bound);
        long drops = 0;
        boolean read = false;
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length >= 13 && fields[1].endsWith(portHex)) {
                        drops += Long.parseLong(fields[fields.length - 1]);
                    }
                }
                read = true;
            } catch (IOException | RuntimeException e) {
                // not Linux, or no IPv6: what could be read counts
            }
        }
        return read ? drops : -1;
    }

    /**
     * A lane's receive thread: waits for datagrams, then takes every one the socket holds, unless the relay
     * thread already has its fill waiting ({@link ChatRelay#busy()}).
     */
    private void receive(DatagramChannel channel, Selector selector) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        try {
            while (channel.isOpen()) {
                selector.select();
                selector.selectedKeys().clear();
                SocketAddress from;
                while (!relay.busy() && (from = channel.receive(buffer.clear())) != null) {
                    byte[] datagram = new byte[buffer.flip().remaining()];
                    buffer.get(datagram);
                    relay.submit(PeerId.udp((InetSocketAddress) from), datagram);
                }
                while (relay.busy() && channel.isOpen()) {
                    // Overloaded: leave the rest in the socket, whose buffer absorbs a burst and sheds a
                    // flood at no cost to the relay (the kernel counts those drops: kernelDrops()).
                    relay.awaitRoom();
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (selector.isOpen() && channel.isOpen()) { // otherwise stop() closed them: a normal end
                LOG.errorf("UDP receive stopped: %s", e.toString());
            }
        }
    }

    /** The relay thread's sending side: one non-blocking send per datagram, through a buffer it owns. */
    private final class UdpEgress implements Egress {

        private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);

        @Override
        public void send(PeerId to, byte[] datagram) {
            DatagramChannel channel = sending;
            try {
                if (channel == null || channel.send(out.clear().put(datagram).flip(), to.address()) == 0) {
                    counters.sendFailed();
                }
            } catch (IOException | RuntimeException e) {
                counters.sendFailed(); // unreachable address, closed socket: the datagram is lost, counted
            }
        }
    }
}
