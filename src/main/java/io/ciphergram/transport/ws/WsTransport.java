package io.ciphergram.transport.ws;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.relay.ChatRelay;
import io.ciphergram.relay.Counters;
import io.ciphergram.relay.Egress;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * The WebSocket edge, as the UDP one: bytes in and bytes out, nothing else. Each connection is a peer
 * ({@code ws}, the client's address, a connection number); each binary frame is one v2 datagram submitted
 * to the relay thread, and each datagram the relay sends that peer goes back as one binary frame. Only v2
 * is spoken here: anything else, or a frame larger than a v2 datagram, ends the connection. A connection
 * closing ends its session at once (the room is told); a session the relay ends closes its connection; a
 * connection that sends nothing for {@code ciphergram.ws.idle-timeout} is closed.
 */
@ApplicationScoped
public class WsTransport {

    public static final String WS = "ws";
    /** RFC 6455 section 7.4.1: the frame is bigger than the endpoint will take. */
    static final int MESSAGE_TOO_BIG = 1009;
    /** RFC 6455: the server is going away (shutting down). */
    static final int GOING_AWAY = 1001;
    private static final UserData.TypedKey<Link> LINK = new UserData.TypedKey<>("ciphergram.link");
    private static final long IDLE_CHECK_MILLIS = 5_000;

    /** One connection: its peer identity and when it last sent a frame. */
    private static final class Link {
        final WebSocketConnection connection;
        final PeerId peer;
        volatile long lastFrameNanos = System.nanoTime();

        Link(WebSocketConnection connection, PeerId peer) {
            this.connection = connection;
            this.peer = peer;
        }
    }

    private final Map<Long, Link> links = new ConcurrentHashMap<>();
    private final AtomicLong numbers = new AtomicLong();
    private volatile boolean accepting = true;
    private final ChatRelay relay;
    private final Counters counters;
    private final Vertx vertx;
    private final long idleTimeoutNanos;
    private long idleTimer = -1;

    @Inject
    public WsTransport(ChatRelay relay, Counters counters, Vertx vertx,
            @ConfigProperty(name = "ciphergram.ws.idle-timeout") Duration idleTimeout) {
        this.relay = relay;
        this.counters = counters;
        this.vertx = vertx;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    void start(@Observes StartupEvent event) {
        relay.attach(WS, new WsEgress());
        idleTimer = vertx.setPeriodic(IDLE_CHECK_MILLIS, id -> closeIdle());
    }

    void stop(@Observes ShutdownEvent event) {
        relay.detach(WS);
        if (idleTimer >= 0) {
            vertx.cancelTimer(idleTimer);
        }
    }

    /** Closes every connection (shutdown, or a test of the page's reconnecting). */
    public void closeAll(String why) {
        for (Link link : links.values()) {
            refuse(link.connection, new CloseReason(CloseReason.NORMAL.getCode(), why));
        }
    }

    /** At shutdown: from now on new connections are closed at once, and every open one is closed. */
    public void shutdown(String why) {
        accepting = false;
        closeAll(why);
    }

    /** False once {@link #shutdown} has run (readiness). */
    public boolean accepting() {
        return accepting;
    }

    /** Open connections, for health and metrics. */
    public int connections() {
        return links.size();
    }

    void opened(WebSocketConnection connection) {
        if (!accepting) {
            refuse(connection, new CloseReason(GOING_AWAY, "server shutting down"));
            return;
        }
        InetSocketAddress remote = connection.userData().get(UpgradeCheck.REMOTE);
        long number = numbers.incrementAndGet();
        Link link = new Link(connection, PeerId.connection(WS, remote, number));
        connection.userData().put(LINK, link);
        links.put(number, link);
    }

    void datagram(WebSocketConnection connection, Buffer frame) {
        Link link = connection.userData().get(LINK);
        if (link == null) {
            return;
        }
        link.lastFrameNanos = System.nanoTime();
        byte[] datagram = frame.getBytes();
        if (datagram.length > V2Codec.MAX_DATAGRAM) {
            counted(DropReason.OVERSIZE);
            refuse(connection, new CloseReason(MESSAGE_TOO_BIG, "a frame is one v2 datagram, at most "
                    + V2Codec.MAX_DATAGRAM + " bytes"));
            return;
        }
        if (!V2Codec.isV2(datagram)) {
            counted(DropReason.MALFORMED_FRAME);
            refuse(connection, new CloseReason(WsGateway.POLICY_VIOLATION, "v2 datagrams only"));
            return;
        }
        relay.submit(link.peer, datagram);
    }

    void refuse(WebSocketConnection connection, CloseReason reason) {
        connection.close(reason).subscribe().with(done -> { }, failure -> { });
    }

    void closed(WebSocketConnection connection) {
        Link link = connection.userData().get(LINK);
        if (link != null && links.remove(link.peer.connection(), link)) {
            relay.gone(link.peer);
        }
    }

    private void counted(DropReason reason) {
        counters.received();
        counters.dropped(reason);
    }

    private void closeIdle() {
        long now = System.nanoTime();
        for (Link link : links.values()) {
            if (now - link.lastFrameNanos > idleTimeoutNanos) {
                refuse(link.connection, new CloseReason(CloseReason.NORMAL.getCode(), "idle"));
            }
        }
    }

    /** Relay-thread side: one binary frame per datagram. */
    private final class WsEgress implements Egress {

        @Override
        public void send(PeerId to, byte[] datagram) {
            Link link = links.get(to.connection());
            if (link == null) {
                counters.sendFailed();
                return;
            }
            link.connection.sendBinary(Buffer.buffer(datagram)).subscribe().with(done -> { },
                    failure -> counters.sendFailed());
        }

        /** The relay ended this peer's session: its connection has nothing more to carry. */
        @Override
        public void ended(PeerId peer) {
            Link link = links.get(peer.connection());
            if (link != null) {
                refuse(link.connection, new CloseReason(CloseReason.NORMAL.getCode(), "session ended"));
            }
        }
    }

}
