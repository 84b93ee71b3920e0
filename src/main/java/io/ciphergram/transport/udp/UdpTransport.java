package io.ciphergram.transport.udp;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.relay.ChatRelay;
import io.ciphergram.session.Counters;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

/**
 * The UDP edge: one Vert.x datagram socket, bytes in and bytes out, nothing else. Every datagram goes to
 * the relay with the sender's transport-neutral {@link PeerId}; the relay sends back through this egress.
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
    private static final long TICK_MILLIS = 10;

    private final Vertx vertx;
    private final ChatRelay relay;
    private final Counters counters;
    private final String host;
    private final int port;
    private volatile DatagramSocket socket;
    private volatile int boundPort = -1;
    private long housekeepingTimer = -1;
    private long tickTimer = -1;

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

    void start(@Observes StartupEvent event) throws Exception {
        DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions()
                .setReceiveBufferSize(RECEIVE_BUFFER).setSendBufferSize(RECEIVE_BUFFER));
        s.handler(this::receive);
        s.exceptionHandler(e -> LOG.debugf("UDP socket error: %s", e.getClass().getSimpleName()));
        s.listen(port, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        socket = s;
        boundPort = s.localAddress().port();
        relay.attach(PeerId.UDP, this::send);
        housekeepingTimer = vertx.setPeriodic(10_000, id -> relay.expireIdle());
        // v2 retransmission and delayed-ack timers: RTO is at least 200 ms, delayed acks 25 ms.
        tickTimer = vertx.setPeriodic(TICK_MILLIS, id -> relay.tick());
        LOG.infof("Ciphergram UDP listening on %s:%d", host, boundPort);
    }

    /** Closed on shutdown so that a dev-mode live reload rebinds the port cleanly. */
    void stop(@Observes ShutdownEvent event) throws Exception {
        relay.detach(PeerId.UDP);
        if (housekeepingTimer >= 0) {
            vertx.cancelTimer(housekeepingTimer);
            vertx.cancelTimer(tickTimer);
        }
        DatagramSocket s = socket;
        socket = null;
        if (s != null) {
            s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
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
        relay.onDatagram(PeerId.udp(packet.sender().host(), packet.sender().port()), packet.data().getBytes());
    }

    private void send(PeerId to, byte[] datagram) {
        DatagramSocket s = socket;
        if (s == null) {
            counters.sendFailed();
            return;
        }
        String address = to.address();
        int colon = address.lastIndexOf(':');
        s.send(Buffer.buffer(datagram), Integer.parseInt(address.substring(colon + 1)), address.substring(0, colon))
                .onFailure(e -> counters.sendFailed());
    }
}
