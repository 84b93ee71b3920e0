package io.ciphergram.transport.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

/**
 * The UDP edge: one Vert.x datagram socket, bytes in and bytes out, nothing else. Its event loop (the I/O
 * thread) posts every datagram to the relay thread with the sender's {@link PeerId}; the relay thread
 * queues what it sends in this transport's {@link Egress}, which hands each turn's datagrams to the I/O
 * thread in one batch.
 */
@ApplicationScoped
public class UdpTransport {

    private static final Logger LOG = Logger.getLogger(UdpTransport.class);
    /**
     * Vert.x uses this both as SO_RCVBUF and as Netty's fixed per-read buffer, whose default (2048) would
     * silently truncate a seed client's 4096-byte datagram. 64 KiB holds any UDP datagram whole, so an
     * oversize one arrives intact and is counted rather than cut.
     */
    private static final int RECEIVE_BUFFER = 65_536;

    private final Vertx vertx;
    private final ChatRelay relay;
    private final Counters counters;
    private final String host;
    private final int port;
    private volatile DatagramSocket socket;
    private volatile Context context;
    private volatile int boundPort = -1;
    /** Datagrams handed to the I/O thread and not yet written (or failed). */
    private final AtomicInteger inFlight = new AtomicInteger();

    @Inject
    public UdpTransport(Vertx vertx, ChatRelay relay, Counters counters,
            @ConfigProperty(name = "ciphergram.udp.host", defaultValue = "0.0.0.0") String host,
            @ConfigProperty(name = "ciphergram.udp.port", defaultValue = "12345") int port) {
        this.vertx = vertx;
        this.relay = relay;
        this.counters = counters;
        this.host = host;
        this.port = port;
    }

    public void start(@Observes StartupEvent event) throws Exception {
        Context ioThread = vertx.getOrCreateContext();
        CompletableFuture<DatagramSocket> bound = new CompletableFuture<>();
        ioThread.runOnContext(v -> {
            DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions()
                    .setReceiveBufferSize(RECEIVE_BUFFER).setSendBufferSize(RECEIVE_BUFFER));
            s.handler(this::receive);
            s.exceptionHandler(e -> LOG.debugf("UDP socket error: %s", e.getClass().getSimpleName()));
            s.listen(port, host).onComplete(result -> {
                if (result.succeeded()) {
                    bound.complete(s);
                } else {
                    bound.completeExceptionally(result.cause());
                }
            });
        });
        DatagramSocket s = bound.get(10, TimeUnit.SECONDS);
        context = ioThread;
        socket = s;
        boundPort = s.localAddress().port();
        relay.attach(PeerId.UDP, new UdpEgress());
        LOG.infof("Ciphergram UDP listening on %s:%d", host, boundPort);
    }

    /** Closed on shutdown so that a dev-mode live reload rebinds the port cleanly. */
    public void stop(@Observes ShutdownEvent event) throws Exception {
        relay.detach(PeerId.UDP);
        DatagramSocket s = socket;
        socket = null;
        if (s != null) {
            s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void sent() {
        if (inFlight.decrementAndGet() == 0) {
            synchronized (inFlight) {
                inFlight.notifyAll();
            }
        }
    }

    /**
     * Waits until every datagram handed to this transport has been written, or {@code timeoutNanos} has
     * passed: at shutdown, so that the last notices and Close records leave before the socket closes.
     */
    public void drain(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (inFlight) {
            long left;
            while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                inFlight.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** The bound UDP port (useful when configured as 0), or -1 before start. */
    public int port() {
        return boundPort;
    }

    public boolean listening() {
        return socket != null;
    }

    private void receive(DatagramPacket packet) {
        InetSocketAddress from;
        try {
            // The sender's host is always an IP literal here, so this parses it and never resolves a name.
            from = new InetSocketAddress(InetAddress.getByName(packet.sender().host()), packet.sender().port());
        } catch (UnknownHostException e) {
            return;
        }
        relay.submit(PeerId.udp(from), packet.data().getBytes());
    }

    /** Relay-thread side: queues a turn's datagrams, then hands them to the I/O thread together. */
    private final class UdpEgress implements Egress {

        private record Outgoing(InetSocketAddress to, byte[] datagram) {
        }

        private List<Outgoing> queued = new ArrayList<>();

        @Override
        public void send(PeerId to, byte[] datagram) {
            queued.add(new Outgoing(to.address(), datagram));
        }

        @Override
        public void flush() {
            if (queued.isEmpty()) {
                return;
            }
            List<Outgoing> batch = queued;
            queued = new ArrayList<>();
            inFlight.addAndGet(batch.size());
            context.runOnContext(v -> {
                DatagramSocket s = socket;
                for (Outgoing out : batch) {
                    if (s == null) {
                        counters.sendFailed();
                        sent();
                        continue;
                    }
                    s.send(Buffer.buffer(out.datagram()), out.to().getPort(), out.to().getAddress().getHostAddress())
                            .onComplete(result -> {
                                if (result.failed()) {
                                    counters.sendFailed();
                                }
                                sent();
                            });
                }
            });
        }
    }
}
