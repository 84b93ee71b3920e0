package io.ciphergram.relay;

import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.ciphergram.cluster.ClusterNode;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.Dropped;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.store.Store;

/**
 * Datagrams in, the relay's side: (peer, datagram) in from any transport, (peer, datagram) out through each
 * transport's {@link Egress}. {@link Engine} assembles it with its thread and workers.
 * The first bytes of a datagram pick the profile ({@link ClassicIngress} or {@link V2Ingress}); the
 * {@link Rooms} route lines, {@link Privately} private messages, {@link Names} who may use which name;
 * each recipient's outbox encodes its copy. It knows nothing of Vert.x or
 * Quarkus: a transport plugs in with {@link #attach} and {@link #submit}. The threading model is in the
 * package documentation: {@link #onDatagram} and the other engine methods run on the relay thread only;
 * {@link #submit}, {@link #attach} and {@link #detach} may be called from any thread.
 */
public final class ChatRelay {

    private static final System.Logger LOG = System.getLogger(ChatRelay.class.getName());
    /**
     * Datagrams that may wait for the relay thread at once; more are shed on arrival ({@code overloaded}).
     * At the relay's capacity (docs/BENCHMARKS.md, about 15,000 lines a second) this is some 70 ms of work:
     * enough to never leave the relay thread idle, short enough that an overloaded relay still answers fast.
     */
    public static final int MAX_WAITING = 1024;
    /** How far the relay thread works its backlog down before it wakes the transports that held back. */
    static final int RESUME_AT = MAX_WAITING / 2;
    /** The longest a transport holds back in one {@link #awaitRoom()}, so that it notices its own close. */
    private static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final SessionRegistry sessions;
    private final Counters counters;
    private final Executor relayThread;
    private final Transports transports;
    private final Drops drops;
    private final Rooms room;
    private final Names names;
    private final ClassicIngress classic;
    private final V2Ingress v2;
    private final Admin admin;
    private final Privately privately;
    private final Departures departures = new Departures();
    /** Submitted datagrams the relay thread has not yet taken (any thread). */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Transport threads parked in {@link #awaitRoom()} until the backlog is down to {@link #RESUME_AT}. */
    private final Queue<Thread> holding = new ConcurrentLinkedQueue<>();
    private boolean stopping;

    /**
     * @param handshake null for a relay that speaks only the classic profile
     * @param relayThread runs tasks on the thread that owns {@code sessions}
     */
    public ChatRelay(SessionRegistry sessions, Counters counters, RelaySettings settings, ServerHandshake handshake,
            Executor relayThread, Scheduler scheduler, Offload offload, RelayEvents events, Store store,
            LongSupplier millis) {
        SecureRandom random = new SecureRandom();
        this.sessions = sessions;
        this.counters = counters;
        this.relayThread = relayThread;
        this.transports = new Transports(counters);
        sessions.v2Memory().countAlso(transports::heldBytes);
        this.drops = new Drops(counters, events);
        this.room = new Rooms(sessions, counters, store, settings.rooms(), millis, transports::ended);
        this.names = new Names(sessions, store, counters, millis);
        Privately privately = new Privately(room, sessions, counters);
        Commands commands = new Commands(room, privately);
        this.admin = new Admin(sessions, room, store, relayThread);
        sessions.listen(events::started, events::ended);
        sessions.listenHeldLost((peer, n) -> {
            for (int i = 0; i < n; i++) {
                drops.drop(peer, DropReason.OUT_OF_STATE);
            }
        });
        FloodControl floods = new FloodControl(drops, room);
        TextLines text = new TextLines(java.time.ZoneId.systemDefault());
        this.classic = new ClassicIngress(sessions, room, names, commands, transports, drops, floods, offload, counters,
                random, settings.reflectionLimit(), departures, text);
        V2Sender sender = new V2Sender(sessions, transports, counters, scheduler, departures,
                settings.v2QueueFullTimeout().toNanos());
        this.v2 = new V2Ingress(sessions, room, names, commands, privately, transports, drops, floods, counters,
                offload, handshake, sender, text);
        this.privately = privately;
    }

    /** Before the first datagram: the registry learns which names are bound. Any thread. */
    public void start() {
        relayThread.execute(names::load);
    }

    /**
     * Shares this relay's room with the other instances of a cluster: once, before any transport attaches.
     * Any thread (it is done on the relay thread).
     */
    public void join(ClusterNode cluster) {
        relayThread.execute(() -> {
            ClusterBridge bridge = new ClusterBridge(sessions, room, privately, cluster);
            room.cluster(cluster, room.store().shared());
            sessions.claimNamesWith(bridge);
            cluster.start(bridge);
        });
    }

    /** A transport announces how to reach its peers. Any thread. */
    public void attach(String transport, Egress out) {
        transports.attach(transport, out);
    }

    /** Any thread. */
    public void detach(String transport) {
        transports.detach(transport);
    }

    /** What the operator may see and do (the admin API): it runs on the relay thread. */
    public Admin admin() {
        return admin;
    }

    /**
     * Whether the relay thread already has {@link #MAX_WAITING} datagrams waiting: a transport that can hold
     * back (UDP leaves them in the socket's buffer) should until it is not. Any thread.
     */
    public boolean busy() {
        return waiting.get() >= MAX_WAITING;
    }

    /**
     * For a transport that holds back while {@link #busy()}: parks the calling thread until the relay thread
     * has worked its backlog down to half, or at most 20 ms; returns at once if it is not busy. Parked rather
     * than polling, so that an overloaded relay does not also pay for transports asking whether it is still
     * busy. Any thread but the relay thread.
     */
    public void awaitRoom() {
        Thread self = Thread.currentThread();
        holding.add(self);
        if (busy()) { // checked after joining the queue: a wake-up in between is not missed
            LockSupport.parkNanos(this, HOLD_NANOS);
        }
        holding.remove(self);
    }

    /**
     * A datagram from a transport's I/O thread: handled on the relay thread; shed at once (counted,
     * {@code overloaded}) if the relay thread is {@link #busy()}. Any thread.
     */
    public void submit(PeerId from, byte[] datagram) {
        long received = System.nanoTime();
        counters.bytesIn(datagram.length);
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            counters.received();
            counters.dropped(DropReason.OVERLOADED);
            return;
        }
        try {
            relayThread.execute(() -> {
                if (waiting.decrementAndGet() == RESUME_AT) {
                    holding.forEach(LockSupport::unpark);
                }
                onDatagram(from, datagram, received);
            });
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet();
            counters.received();
            counters.dropped(DropReason.UNAVAILABLE);
        }
    }

    /**
     * One datagram from a peer, on the relay thread, handled to the end: sessions given up meanwhile leave
     * afterwards ({@link Departures}). Never throws: bad input is dropped and counted.
     */
    public void onDatagram(PeerId from, byte[] datagram) {
        onDatagram(from, datagram, sessions.now());
    }

    private void onDatagram(PeerId from, byte[] datagram, long receivedNanos) {
        long relayedBefore = room.linesRelayed();
        handle(from, datagram);
        if (room.linesRelayed() != relayedBefore) {
            counters.relayLatency(sessions.now() - receivedNanos);
        }
        endDepartures();
    }

    /** Ends the sessions given up during the work just done, each telling the room once. */
    private void endDepartures() {
        for (Session s : departures.take()) {
            if (room.end(s)) {
                counters.givenUp();
            }
        }
    }

    private void handle(PeerId from, byte[] datagram) {
        counters.received();
        if (stopping) {
            counters.dropped(DropReason.UNAVAILABLE);
            return;
        }
        sessions.received(from, datagram.length);
        try {
            if (V2Codec.isV2(datagram)) {
                v2.onDatagram(from, datagram);
            } else {
                classic.onDatagram(from, datagram);
            }
        } catch (Dropped e) {
            drops.drop(from, e.reason());
        } catch (RuntimeException e) {
            // A bug must cost one datagram, not the relay thread; the datagram's content is not logged.
            LOG.log(Level.ERROR, "failed to handle a datagram from " + from, e);
        }
    }

    /**
     * A connection transport's peer is gone (its connection closed): its session ends at once and the room
     * is told. Any thread.
     */
    public void gone(PeerId peer) {
        try {
            relayThread.execute(() -> {
                Session session = sessions.session(peer);
                if (session != null) {
                    room.end(session);
                }
            });
        } catch (RejectedExecutionException e) {
            // the relay is stopping: every session ends with it
        }
    }

    /**
     * The server is stopping: every participant, classic ones included, is told {@code * server shutting
     * down}; v2 sessions are then closed properly (an Ack of everything, then Close), and every session
     * ends. Datagrams that arrive afterwards are dropped and counted ({@code unavailable}). Any thread.
     *
     * @return done once everything is handed to the transports
     */
    public CompletableFuture<Void> shutdown() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            relayThread.execute(() -> {
                stopping = true;
                room.shutdown(Notices.SHUTTING_DOWN);
                done.complete(null);
            });
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
        return done;
    }

    /** Ends idle sessions (classic after an hour, v2 after 180 s) and tells the room; relay thread. */
    public void expireIdle() {
        List<Session> expired = sessions.expireIdle();
        room.left(expired);
        expired.forEach(s -> transports.ended(s.peer()));
    }

    /** The end of a relay turn (a batch of tasks and timers): sessions given up by timers leave. */
    public void endOfTurn() {
        endDepartures();
    }
}
