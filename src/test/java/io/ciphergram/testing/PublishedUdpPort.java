package io.ciphergram.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A container's published UDP port as Linux runs it (podman with netavark: a DNAT rule plus connection
 * tracking), on loopback. Clients send to {@link #address()}; the container behind it comes and goes
 * ({@link #down()}, {@link #up}), with a new address each time.
 *
 * <p>What makes it more than a proxy is connection tracking: each client address is a flow whose
 * destination is decided by its first datagram and then kept while the flow is in use. A flow that began
 * while no container was up goes nowhere (in the kernel, to the host's own port, where nothing listens),
 * and keeps going nowhere after a container comes up, until it has been idle for
 * {@link #UNREPLIED_TIMEOUT_NANOS} (the kernel's {@code nf_conntrack_udp_timeout}): a client that keeps
 * sending from the same port never reaches the new container. Taking a container down forgets the flows to
 * it (netavark's teardown flushes their entries). Observed in {@code /proc/net/nf_conntrack} during
 * {@code scripts/container-smoke.sh}: the v2 client's first try after {@code podman stop} made an
 * {@code [UNREPLIED]} entry without NAT that outlived the new container's start.
 *
 * <p>One difference from the kernel: there a datagram that goes nowhere draws an ICMP port unreachable,
 * which the console client's socket reports and treats as a loss ({@code cli.DatagramLink}); here it is
 * only dropped, which the client sees the same way.
 *
 * <p>One thread reads the published port; each flow with a destination has a socket toward it and a thread
 * that relays its replies back from the published port. All daemon threads; {@link #close()} ends them.
 */
public final class PublishedUdpPort implements AutoCloseable {

    /** An unreplied flow is forgotten after this long without a datagram (nf_conntrack_udp_timeout, 30 s). */
    public static final long UNREPLIED_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** A flow that had replies, after this long (nf_conntrack_udp_timeout_stream, 120 s). */
    public static final long ASSURED_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramSocket published;
    /** Guarded by this object's lock, as are {@link #everSeen} and {@link #container}. */
    private final Map<SocketAddress, Flow> flows = new HashMap<>();
    private final Set<SocketAddress> everSeen = new HashSet<>();
    private InetSocketAddress container;
    private final AtomicLong nowhere = new AtomicLong();

    private PublishedUdpPort(DatagramSocket published, InetSocketAddress container) {
        this.published = published;
        this.container = container;
    }

    /** Publishes a port for the container at {@code container} (a loopback address). */
    public static PublishedUdpPort to(InetSocketAddress container) throws IOException {
        PublishedUdpPort port = new PublishedUdpPort(new DatagramSocket(0, InetAddress.getLoopbackAddress()), container);
        Thread thread = new Thread(port::receiveFromClients, "published-udp-port");
        thread.setDaemon(true);
        thread.start();
        return port;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) published.getLocalSocketAddress();
    }

    /** The container stops: its rule and the flows to it go; datagrams from now on start flows to nowhere. */
    public synchronized void down() {
        container = null;
        flows.values().removeIf(Flow::forget);
    }

    /** A container (at a new address) is up: new flows go to it; flows already tracked keep their way. */
    public synchronized void up(InetSocketAddress newContainer) {
        container = newContainer;
    }

    /** Datagrams from clients that went nowhere (their flow began while no container was up). */
    public long wentNowhere() {
        return nowhere.get();
    }

    /** The distinct client addresses (source ports) seen so far, in current flows or forgotten ones. */
    public synchronized int clientsSeen() {
        return everSeen.size();
    }

    private void receiveFromClients() {
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!published.isClosed()) {
            try {
                packet.setLength(buffer.length);
                published.receive(packet);
                DatagramSocket toContainer = flowFor(packet.getSocketAddress(), System.nanoTime());
                if (toContainer == null) {
                    nowhere.incrementAndGet();
                } else {
                    toContainer.send(new DatagramPacket(buffer, packet.getLength()));
                }
            } catch (IOException e) {
                // closed (the loop ends), or a send toward a container that went away: lost
            }
        }
    }

    /** The flow's socket toward its container, or null if the flow goes nowhere. */
    private synchronized DatagramSocket flowFor(SocketAddress client, long now) throws SocketException {
        everSeen.add(client);
        Flow flow = flows.get(client);
        if (flow != null && now - flow.lastSeen > (flow.replied ? ASSURED_TIMEOUT_NANOS : UNREPLIED_TIMEOUT_NANOS)) {
            flows.remove(client).forget();
            flow = null;
        }
        if (flow == null) {
            flow = new Flow(container == null ? null : openToward(container, client));
            flows.put(client, flow);
        }
        flow.lastSeen = now;
        return flow.toContainer;
    }

    private DatagramSocket openToward(InetSocketAddress destination, SocketAddress client) throws SocketException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.connect(destination);
        Thread thread = new Thread(() -> relayReplies(socket, client), "published-udp-port-flow");
        thread.setDaemon(true);
        thread.start();
        return socket;
    }

    private void relayReplies(DatagramSocket socket, SocketAddress client) {
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
                synchronized (this) {
                    Flow flow = flows.get(client);
                    if (flow != null && flow.toContainer == socket) {
                        flow.replied = true;
                    }
                }
                published.send(new DatagramPacket(buffer, packet.getLength(), client));
            } catch (IOException e) {
                // closed, or an ICMP error from a container that went away: the flow's datagrams are lost
            }
        }
    }

    @Override
    public synchronized void close() {
        published.close();
        flows.values().forEach(Flow::forget);
        flows.clear();
    }

    /** One tracked client address: where its datagrams go (null: nowhere), when it last sent, whether it had replies. */
    private static final class Flow {
        final DatagramSocket toContainer;
        long lastSeen;
        boolean replied;

        Flow(DatagramSocket toContainer) {
            this.toContainer = toContainer;
        }

        /** Closes the way to the container, if it has one (its reply thread ends); says whether it had. */
        boolean forget() {
            if (toContainer == null) {
                return false;
            }
            toContainer.close();
            return true;
        }
    }
}
