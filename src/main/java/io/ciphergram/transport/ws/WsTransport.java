package io.ciphergram.transport.ws;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

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
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The WebSocket edge, as the UDP one: bytes in and bytes out, nothing else. Each connection is a peer
 * ({@code ws}, the client's address, a connection number); each binary frame is one v2 datagram submitted
 * to the relay thread, and each datagram the relay sends that peer goes back as one binary frame. Only v2
 * is spoken here: anything else, or a frame larger than a v2 datagram, ends the connection. A connection
 * closing ends its session at once (the room is told); a session the relay ends closes its connection; a
 * connection that sends nothing for {@code ciphergram.ws.idle-timeout} is closed; a connection that does not
 * read what it is sent is given up once the gateway would hold more than
 * {@code ciphergram.ws.pending-per-connection} for it ({@link PendingWrites}). A connection that sends more
 * frames than its rate, or its source's, allows ({@link FrameRates}) is no longer read for a while: TCP then
 * holds its client back, and what the gateway had already read beyond the rate waits, a little of it, or is
 * dropped (counted, {@code flooded}), before it can reach the relay's queue that every user shares.
 *
 * <p>Threads: the relay thread sends ({@link WsEgress}); each connection's event loop receives, and
 * completes its writes; {@link #links} and the counts are safe from any thread.
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
    /** A paused connection is read again after this long at the least, so a flood costs few wake-ups. */
    private static final long MIN_PAUSE_MILLIS = 100;
    /**
     * A connection held back because the relay was busy looks again this soon: the relay works its backlog
     * (at most 1,024 datagrams) down in milliseconds.
     */
    private static final long BUSY_PAUSE_MILLIS = 5;
    /**
     * Bytes of frames read while a connection is paused (beyond its rate, or while the relay is busy) that wait
     * rather than being dropped: more than one TCP read (64 KiB) brings, whatever the frames' size, so a client
     * that only bursts loses nothing.
     */
    private static final int MAX_HELD_BYTES = 64 * V2Codec.MAX_DATAGRAM;
    private static final Logger LOG = Logger.getLogger(WsTransport.class);

    /** One connection: its peer identity, when it last sent a frame, and what waits to be written to it. */
    private static final class Link {
        final WebSocketConnection connection;
        final HttpConnection tcp;
        final PeerId peer;
        final PendingWrites.Account pending = new PendingWrites.Account();
        final AtomicBoolean givenUp = new AtomicBoolean();
        final FrameRates.Meter rate;
        volatile long lastFrameNanos = System.nanoTime();
        /** Non-null while the connection is paused: frames read since, in order. Its event loop only. */
        ArrayDeque<byte[]> held;
        int heldBytes;

        Link(WebSocketConnection connection, HttpConnection tcp, PeerId peer, FrameRates.Meter rate) {
            this.connection = connection;
            this.tcp = tcp;
            this.peer = peer;
            this.rate = rate;
        }
    }

    private final Map<Long, Link> links = new ConcurrentHashMap<>();
    private final PendingWrites pending;
    /** Over the total bound, only a connection none of whose writes completed for this long is given up for it. */
    private static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final LongAdder givenUp = new LongAdder();
    private final FrameRates rates;
    private final LongAdder paused = new LongAdder();
    private final LongAdder heldBack = new LongAdder();
    private final AtomicLong numbers = new AtomicLong();
    private volatile boolean accepting = true;
    private final ChatRelay relay;
    private final Counters counters;
    private final Vertx vertx;
    private final long idleTimeoutNanos;
    private long idleTimer = -1;

    @Inject
    WsTransport(ChatRelay relay, Counters counters, Vertx vertx,
            @ConfigProperty(name = "ciphergram.ws.idle-timeout") Duration idleTimeout,
            @ConfigProperty(name = "ciphergram.ws.pending-per-connection") long pendingPerConnection,
            @ConfigProperty(name = "ciphergram.ws.pending-total") long pendingTotal,
            @ConfigProperty(name = "ciphergram.ws.frames-per-second") double framesPerSecond,
            @ConfigProperty(name = "ciphergram.ws.frames-per-second-per-source") double framesPerSecondPerSource) {
        this(relay, counters, vertx, new GatewayLimits(idleTimeout, pendingPerConnection, pendingTotal, framesPerSecond,
                framesPerSecondPerSource));
    }

    public WsTransport(ChatRelay relay, Counters counters, Vertx vertx, GatewayLimits limits) {
        this.relay = relay;
        this.counters = counters;
        this.vertx = vertx;
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.pending = new PendingWrites(limits.pendingPerConnection(), limits.pendingTotal());
        this.rates = new FrameRates(limits.framesPerSecond(), limits.framesPerSecondPerSource());
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

    /**
     * Bytes the gateway holds for its open connections: handed to Vert.x to write and not yet written (at most
     * {@code ciphergram.ws.pending-total}, for a moment a datagram more). Any thread.
     */
    public long pendingBytes() {
        return pending.bytes();
    }

    /** Connections given up because they did not read what they were sent, since start. */
    public long givenUp() {
        return givenUp.sum();
    }

    /** Times a connection was paused for sending more frames than its rate or its source's, since start. */
    public long paused() {
        return paused.sum();
    }

    /**
     * Times a connection was not read for a moment because the relay was busy, since start: where UDP's receive
     * threads wait for the relay, the gateway stops reading, so that TCP holds the client back and nothing it
     * sent is shed.
     */
    public long heldBack() {
        return heldBack.sum();
    }

    void opened(WebSocketConnection connection) {
        if (!accepting) {
            refuse(connection, new CloseReason(GOING_AWAY, "server shutting down"));
            return;
        }
        InetSocketAddress remote = connection.userData().get(UpgradeCheck.REMOTE);
        long number = numbers.incrementAndGet();
        PeerId peer = PeerId.connection(WS, remote, number);
        Link link = new Link(connection, connection.userData().get(UpgradeCheck.TCP), peer,
                rates.open(peer.source(), System.nanoTime()));
        connection.userData().put(LINK, link);
        links.put(number, link);
    }

    void datagram(WebSocketConnection connection, Buffer frame) {
        Link link = connection.userData().get(LINK);
        if (link == null) {
            return;
        }
        long now = System.nanoTime();
        link.lastFrameNanos = now;
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
        if (link.held != null) {
            hold(link, datagram);
        } else if (relay.busy()) {
            heldBack.increment();
            pause(link, now);
            hold(link, datagram);
        } else if (rates.admit(link.rate, now)) {
            relay.submit(link.peer, datagram);
        } else {
            paused.increment();
            pause(link, now);
            hold(link, datagram);
        }
    }

    /** Frames that arrive while paused (already read from TCP) wait, up to {@link #MAX_HELD_BYTES}; the rest are dropped. */
    private void hold(Link link, byte[] datagram) {
        if (link.heldBytes + datagram.length <= MAX_HELD_BYTES) {
            link.held.add(datagram);
            link.heldBytes += datagram.length;
        } else {
            counted(DropReason.FLOODED);
        }
    }

    /** Stops reading the connection's TCP socket until the relay has room and its rate allows more; on its event loop. */
    private void pause(Link link, long now) {
        link.held = new ArrayDeque<>();
        reading(link.tcp, false);
        resumeLater(link, now);
    }

    private void resumeLater(Link link, long now) {
        long millis = relay.busy() ? BUSY_PAUSE_MILLIS
                : Math.max(MIN_PAUSE_MILLIS, TimeUnit.NANOSECONDS.toMillis(rates.nanosUntilAdmitted(link.rate, now)));
        vertx.setTimer(millis, id -> resume(link));
    }

    /** Hands the relay what waited, as far as its room and the rate allow, and reads again once nothing waits. */
    private void resume(Link link) {
        if (links.get(link.peer.connection()) != link) {
            return; // closed meanwhile
        }
        long now = System.nanoTime();
        while (!link.held.isEmpty() && !relay.busy() && rates.admit(link.rate, now)) {
            byte[] datagram = link.held.poll();
            link.heldBytes -= datagram.length;
            relay.submit(link.peer, datagram);
        }
        if (link.held.isEmpty()) {
            link.held = null;
            link.heldBytes = 0;
            reading(link.tcp, true);
        } else {
            resumeLater(link, now);
        }
    }

    /**
     * Stops or restarts reading a connection's TCP socket, so that its client's writes wait in its own buffers.
     * WebSockets Next offers no pause; Vert.x's connection does, as its own back-pressure uses it.
     */
    private static void reading(HttpConnection tcp, boolean on) {
        if (tcp instanceof ConnectionBase base) {
            if (on) {
                base.doResume();
            } else {
                base.doPause();
            }
        }
    }

    void refuse(WebSocketConnection connection, CloseReason reason) {
        connection.close(reason).subscribe().with(done -> { }, failure -> { });
    }

    void closed(WebSocketConnection connection) {
        Link link = connection.userData().get(LINK);
        if (link != null && links.remove(link.peer.connection(), link)) {
            pending.close(link.pending);
            rates.close(link.rate);
            relay.gone(link.peer);
        }
    }

    /**
     * A connection that does not read what it is sent: its TCP connection is closed at once (a Close frame
     * would wait behind everything it has not read), which frees what it held and ends its session.
     */
    private void giveUp(Link link) {
        if (link.givenUp.compareAndSet(false, true)) {
            pending.close(link.pending);
            givenUp.increment();
            LOG.debugf("gave up on %s: it does not read what it is sent", link.peer);
            link.tcp.close();
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

        /** What the connections' write queues hold: it counts in the v2 memory budget. */
        @Override
        public long heldBytes() {
            return pending.bytes();
        }

        @Override
        public void send(PeerId to, byte[] datagram) {
            Link link = links.get(to.connection());
            if (link == null || link.connection.isClosed()) {
                counters.sendFailed();
                return;
            }
            int bytes = datagram.length;
            long now = System.nanoTime();
            PendingWrites.Reservation reservation = pending.reserve(link.pending, bytes, now);
            if (reservation == PendingWrites.Reservation.OVER_CONNECTION_BOUND) {
                giveUp(link);
            }
            if (reservation != PendingWrites.Reservation.GRANTED) {
                counters.sendFailed();
                return;
            }
            if (!withinTotal(link, now)) {
                pending.release(link.pending, bytes, now);
                counters.sendFailed();
                return;
            }
            link.connection.sendBinary(Buffer.buffer(datagram)).subscribe().with(
                    done -> pending.release(link.pending, bytes, System.nanoTime()),
                    failure -> {
                        pending.release(link.pending, bytes, System.nanoTime());
                        if (!link.givenUp.get()) {
                            counters.sendFailed();
                        }
                    });
        }

        /**
         * Over the total bound, the stalled connections holding most are given up until the rest fit. Only
         * stalled ones: in one turn the relay may hand every reader a window's worth (64 fragments), which a
         * reader writes away at once, and that must not cost it its connection. If none has stalled, this
         * datagram is not sent (the reliable layer sends it again later). False if it is not to be sent.
         */
        private boolean withinTotal(Link sending, long now) {
            while (pending.overTotal()) {
                Link largest = null;
                for (Link link : links.values()) {
                    if (!link.givenUp.get() && link.pending.stalled(now, STALLED_NANOS)
                            && (largest == null || link.pending.held() > largest.pending.held())) {
                        largest = link;
                    }
                }
                if (largest == null) {
                    return false;
                }
                giveUp(largest);
                if (largest == sending) {
                    return false;
                }
            }
            return true;
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
