package io.ciphergram.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.ciphergram.cli.link.Link;
import io.ciphergram.cli.link.WebSocketLink;
import io.ciphergram.crypto.Fingerprint;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.v2.AppCodec;
import io.ciphergram.protocol.v2.AppFrame;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.ClientHandshakeDriver;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * A client's v2 connection to one server, over UDP or the WebSocket gateway, which lives through the
 * server's sessions: the handshake ({@link ClientHandshakeDriver}), the server's identity (the caller's
 * {@link Trust} decides, before anything is sent under the session's keys), then the session itself
 * ({@link SecureChannel}); with {@link Options#reconnect} a session that ends (the server went silent,
 * stopped acknowledging, or closed it without being asked) is followed by a new one.
 *
 * <h2>A session's life</h2>
 * <pre>
 *  HANDSHAKE ── established, identity trusted: Ping at once ───────────────▶ JOINING
 *            ── identity refused: nothing sent under its keys ────────────▶ ENDED (error)
 *  JOINING   ── Ping again after 1 s, 2 s, 4 s ...; the first message ────▶ MEMBER ("connected", or "* reconnected")
 *  MEMBER    ── Liveness: an owed answer missing 5 s; a reliable give-up;
 *               the server's Close, not asked for (reconnect) ─────────────▶ BACKOFF
 *  BACKOFF   ── 1 s, 2 s, 4 s ... at most 30 s: a new handshake ───────────▶ HANDSHAKE
 * </pre>
 * The first message is the proof of membership: the server makes a v2 session a member with its client's
 * first authenticated record (the Ping) and sends the welcome as its first message. Over UDP the first
 * try after a lost session comes from the session's socket, so the new session replaces the old on the
 * server and keeps its name; a try that fails gives the socket up, and the next comes from a new port,
 * which the server also lets continue the old session once that one has been silent past its keepalive.
 * Messages the user sent are kept until they are acknowledged whole ({@link SecureChannel#acknowledgedMessages})
 * and offered again to the next session, in order; the first connection fails outright (no backoff), so a
 * mistyped server is reported at once.
 *
 * <p>Threads: one I/O thread ({@code ciphergram-v2-io}) runs the sessions: it alone touches the link, the
 * handshake, the channel and the liveness, under this object's lock, which {@link #sendText},
 * {@link #awaitDelivered} and {@link #close} take too. The link's own receive thread only queues datagrams
 * in the {@link Inbox} the I/O thread reads.
 */
public final class V2Connection implements ChatConnection {

    /** Decides whether the server's identity is trusted; throws to refuse it. */
    @FunctionalInterface
    public interface Trust {
        void check(Fingerprint presented) throws IOException;
    }

    /**
     * How the connection behaves.
     *
     * @param timeout how long a handshake and the join after it may take, for each session
     * @param reconnect whether a lost session is followed by a new one
     * @param status told what the user should know about the connection (the console client's stderr)
     */
    public record Options(Duration timeout, boolean reconnect, Consumer<String> status) {

        /** What the test peers use: no reconnecting, nothing to say. */
        public static Options once(Duration timeout) {
            return new Options(timeout, false, s -> {
            });
        }
    }

    /**
     * What a client that speaks app frames adds to each of its sessions (docs/PROTOCOL.md, "App frames");
     * without one the connection is a text client, exactly as before. Called on the I/O thread under this
     * connection's lock: an implementation must not block nor call back into the connection.
     */
    public interface Framing {
        /** The KeyOffer's extensions for the session about to start (the latest resume cursor). */
        ClientHandshake.Offer offer();

        /** What to send first each time a session becomes a member (the current signed prekey). */
        List<byte[]> onMember();
    }

    /** Where the server is: its UDP address, or its WebSocket gateway. */
    public sealed interface Target {
        record Udp(InetSocketAddress address) implements Target {
        }

        record Gateway(URI url) implements Target {
        }
    }

    static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long FIRST_JOIN_PING_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_WAIT_MILLIS = 1_000;
    private static final String REMOVED_NOTICE = "* you were removed by the operator";
    /** Marks the end of the incoming lines; compared by identity, so no text can be mistaken for it. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String END = new String("end of session");

    private enum Stage { CONNECTING, HANDSHAKE, JOINING, MEMBER, BACKOFF, ENDED }

    private final Target target;
    private final String name;
    private final Options options;
    private final Trust trust;
    private final SecureRandom random = new SecureRandom();
    private final Framing framing;
    /** Text lines (String) and app frames (AppFrame) from the relay, and {@link #END}. */
    private final BlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> firstJoin = new CompletableFuture<>();
    private final Thread io;

    // Everything below is guarded by this object's lock.
    private Stage stage = Stage.CONNECTING;
    private Link link;
    private Inbox inbox;
    /**
     * Over UDP the socket of the current session and of the first try after it is lost; a try that fails
     * gives it up (see {@link #attemptFailed}). Null over the gateway (one connection per session).
     */
    private DatagramLink udp;
    private ClientHandshakeDriver handshake;
    private SecureChannel channel;
    private Liveness liveness;
    private V2Frame.Limits limits;
    private Fingerprint fingerprint;
    private long joinDeadline;
    private long nextJoinPing;
    private long joinPingWait;
    private long backoffUntil;
    private long backoff = FIRST_BACKOFF_NANOS;
    private boolean member;
    private String firstWelcome;
    /** Messages not yet acknowledged whole, oldest first; the first {@link #offered} went to this session's channel. */
    private final ArrayDeque<byte[]> unconfirmed = new ArrayDeque<>();
    private long unconfirmedBytes;
    private int offered;
    private long acknowledgedSeen;
    private boolean lastNoticeWasRemoval;
    private IOException failure;
    private boolean closing;
    /** The server ended the session (after /quit, or for good): it had processed everything before, in order. */
    private boolean closedByServer;
    /** This client asked to leave: a Close from the server then only confirms it. */
    private boolean quitSent;

    private V2Connection(Target target, String name, Options options, Trust trust, Framing framing) {
        this.framing = framing;
        this.target = target;
        this.name = name;
        this.options = options;
        this.trust = trust;
        this.io = new Thread(this::run, "ciphergram-v2-io");
        io.setDaemon(true);
    }

    /** Connects over UDP, once, with no reconnecting: what the test peers use. */
    public static V2Connection open(InetSocketAddress server, String name, Duration timeout, Trust trust) throws IOException {
        return open(new Target.Udp(server), name, Options.once(timeout), trust);
    }

    /**
     * Connects and returns once this client is a member of the room (its first message arrived).
     *
     * @throws IOException if that did not happen within the timeout, or the server's identity was refused;
     *         the message names what was tried
     */
    public static V2Connection open(Target target, String name, Options options, Trust trust) throws IOException {
        return open(target, name, options, trust, null);
    }

    /** {@link #open(Target, String, Options, Trust)} for a client that speaks app frames ({@code framing} non-null). */
    public static V2Connection open(Target target, String name, Options options, Trust trust, Framing framing)
            throws IOException {
        V2Connection connection = new V2Connection(target, name, options, trust, framing);
        connection.startSession();
        connection.io.start();
        try {
            connection.firstJoin.get();
            return connection;
        } catch (ExecutionException e) {
            connection.close();
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            connection.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** This client's own address, as the server sees it on loopback (UDP; for the gateway, 0.0.0.0:0). */
    public synchronized InetSocketAddress localAddress() {
        return udp != null ? udp.localAddress() : new InetSocketAddress(0);
    }

    public synchronized Fingerprint fingerprint() {
        return fingerprint;
    }

    public synchronized V2Frame.Limits limits() {
        return limits;
    }

    @Override
    public void sendText(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8), text.strip().toLowerCase(Locale.ROOT).startsWith("/quit"));
    }

    @Override
    public void sendFrame(AppFrame frame) throws IOException {
        if (framing == null) {
            throw new IOException("this connection did not ask for app frames");
        }
        send(AppCodec.encode(frame), false);
    }

    private void send(byte[] utf8, boolean quit) throws IOException {
        synchronized (this) {
            if (utf8.length > limits.maxMessageBytes()) {
                throw new IOException("message of " + utf8.length + " bytes is over the server's limit of "
                        + limits.maxMessageBytes());
            }
            // Back-pressure: at most a send queue's worth waits, whatever the state of the sessions.
            while (unconfirmedBytes + utf8.length > V2Constants.MAX_SEND_QUEUE_BYTES && !unconfirmed.isEmpty()) {
                checkAlive();
                try {
                    wait(MAX_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
            checkAlive();
            if (quit) {
                quitSent = true;
            }
            unconfirmed.addLast(utf8);
            unconfirmedBytes += utf8.length;
            if (stage == Stage.MEMBER) {
                offerPending();
                flush(System.nanoTime());
            }
            if (inbox != null) {
                inbox.wakeUp(); // the I/O thread's timers have changed
            }
            notifyAll();
        }
    }

    /** The next text line; an app frame is given as the line a text client would have got for it. */
    @Override
    public String receiveText() throws IOException {
        while (true) {
            Received next = receive();
            if (next == null) {
                return null;
            }
            if (next instanceof Received.Text text) {
                return text.line();
            }
            AppFrame frame = ((Received.Frame) next).frame();
            if (frame instanceof AppFrame.Line l) {
                return l.privately() ? l.from() + " (private): " + l.text() : l.from() + ": " + l.text();
            }
            if (frame instanceof AppFrame.Notice n) {
                return n.text();
            }
        }
    }

    @Override
    public Received receive() throws IOException {
        try {
            Object line = incoming.take();
            if (line == END) {
                incoming.offer(END);
                synchronized (this) {
                    if (failure != null) {
                        throw failure;
                    }
                }
                return null;
            }
            return line instanceof AppFrame frame ? new Received.Frame(frame) : new Received.Text((String) line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** Waits until every message sent has been acknowledged (a session that ends meanwhile is followed by a new one). */
    @Override
    public synchronized boolean awaitDelivered(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!unconfirmed.isEmpty() && !closedByServer) {
            checkAlive();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(MAX_WAIT_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
        }
        return true;
    }

    /** Whether the server ended the session for good: not asked to by /quit, and not to be reconnected. */
    @Override
    public synchronized boolean endedByServer() {
        return closedByServer && !quitSent;
    }

    /** Whether every message sent has been acknowledged. */
    public synchronized boolean allAcknowledged() {
        return unconfirmed.isEmpty();
    }

    @Override
    public synchronized String describe() {
        return "v2 profile, server " + fingerprint;
    }

    private void checkAlive() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (stage == Stage.ENDED) {
            throw new IOException("the session has ended");
        }
    }

    // ---- the I/O thread

    private void run() {
        try {
            while (true) {
                Inbox from;
                long waitNanos;
                boolean connect;
                synchronized (this) {
                    if (stage == Stage.ENDED) {
                        return;
                    }
                    long now = System.nanoTime();
                    waitNanos = Math.max(0, step(now) - now);
                    connect = stage == Stage.CONNECTING;
                    from = inbox;
                }
                if (connect) {
                    startSession();
                    continue;
                }
                byte[] datagram = null;
                boolean linkEnded = false;
                String why = null;
                long waitMillis = Math.max(1, Math.min(MAX_WAIT_MILLIS, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
                if (from == null) {
                    synchronized (this) {
                        wait(waitMillis); // no link (backing off): a message typed meanwhile may wake us early
                    }
                } else {
                    try {
                        datagram = from.take(waitMillis);
                    } catch (SocketException e) {
                        linkEnded = true;
                        why = e.getMessage();
                    }
                }
                synchronized (this) {
                    if (stage == Stage.ENDED) {
                        return;
                    }
                    long now = System.nanoTime();
                    if (linkEnded && from == inbox) {
                        sessionLost(why != null ? why : "the link to the server closed", now);
                    } else if (datagram != null && from == inbox) {
                        onDatagram(datagram, now);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            synchronized (this) {
                end(new IOException("the connection failed: " + e));
            }
        }
    }

    /** Runs the timers of the current stage and sends what is due; returns when to run them again. */
    private long step(long now) {
        switch (stage) {
            case HANDSHAKE -> {
                handshake.poll(now).ifPresent(link::send);
                if (handshake.state() == ClientHandshakeDriver.State.FAILED) {
                    attemptFailed(noAnswer(now), now);
                    return now;
                }
                return handshake.nextWakeNanos();
            }
            case JOINING -> {
                if (now - joinDeadline >= 0) {
                    attemptFailed("the server at " + where() + " completed the handshake but sent nothing within "
                            + seconds(options.timeout().toNanos()), now);
                    return now;
                }
                if (now - nextJoinPing >= 0) {
                    link.send(channel.ping(now));
                    joinPingWait *= 2;
                    nextJoinPing = now + joinPingWait;
                }
                return Math.min(flush(now), Math.min(nextJoinPing, joinDeadline));
            }
            case MEMBER -> {
                offerPending();
                long wake = flush(now);
                if (stage != Stage.MEMBER) {
                    return now;
                }
                switch (liveness.poll(now, !channel.allAcknowledged())) {
                    case PING -> link.send(channel.ping(now));
                    case GONE -> {
                        sessionLost("no answer from the server for " + seconds(Liveness.GONE_AFTER_NANOS), now);
                        return now;
                    }
                    default -> {
                    }
                }
                return Math.min(wake, liveness.nextWakeNanos());
            }
            case BACKOFF -> {
                if (now - backoffUntil >= 0) {
                    stage = Stage.CONNECTING; // the I/O thread prepares the next session outside the lock
                    return now;
                }
                return backoffUntil;
            }
            default -> {
                return now + TimeUnit.SECONDS.toNanos(1);
            }
        }
    }

    /** Sends what the channel has due; notices a reliable give-up. Returns the channel's next wake. */
    private long flush(long now) {
        for (byte[] datagram : channel.poll(now)) {
            link.send(datagram);
        }
        confirm();
        if (channel.failure().isPresent()) {
            sessionLost("the server stopped acknowledging messages", now);
            return now;
        }
        return channel.nextWakeNanos(now);
    }

    private void onDatagram(byte[] datagram, long now) {
        if (stage == Stage.HANDSHAKE) {
            handshake.onDatagram(datagram, now).ifPresent(link::send);
            if (handshake.state() == ClientHandshakeDriver.State.ESTABLISHED) {
                established(handshake.established(), now);
            }
            return;
        }
        if (stage != Stage.JOINING && stage != Stage.MEMBER) {
            return; // a late datagram of a session given up
        }
        SecureChannel.Inbound inbound;
        try {
            if (!(V2Codec.decode(datagram) instanceof V2Frame.Data data)) {
                return; // a late handshake datagram
            }
            inbound = channel.open(data, now);
        } catch (FrameException e) {
            return; // replayed, forged or malformed: dropped, exactly as the server does
        }
        liveness.heard(now);
        List<byte[]> messages = inbound.messages();
        for (byte[] message : messages) {
            if (framing != null && AppCodec.isFrame(message)) {
                try {
                    deliver(AppCodec.decode(message));
                } catch (FrameException e) {
                    // malformed_app_frame: dropped, as the server drops one
                }
                continue;
            }
            deliver(new String(message, StandardCharsets.UTF_8)); // authenticated: shown, bad bytes as U+FFFD
        }
        if (stage == Stage.JOINING && !messages.isEmpty()) {
            joined(now);
        }
        confirm();
        if (inbound.closed()) {
            closedByServer(now);
            return;
        }
        flush(now);
        notifyAll();
    }

    /** Handshake complete: the identity is checked before anything is sent under the session's keys. */
    private void established(ClientHandshake.Established established, long now) {
        try {
            trust.check(established.fingerprint());
        } catch (IOException e) {
            // Refused: not even a Close goes out, so the server never makes this session a member.
            end(e);
            return;
        }
        fingerprint = established.fingerprint();
        limits = established.limits();
        channel = SecureChannel.client(established, now);
        liveness = new Liveness(now);
        offered = 0;
        acknowledgedSeen = 0;
        stage = Stage.JOINING;
        joinDeadline = now + options.timeout().toNanos();
        link.send(channel.ping(now)); // confirms the keys at once: this record makes the session a member
        joinPingWait = FIRST_JOIN_PING_NANOS;
        nextJoinPing = now + joinPingWait;
    }

    /** The first message arrived: this client is in the room. */
    private void joined(long now) {
        stage = Stage.MEMBER;
        backoff = FIRST_BACKOFF_NANOS;
        if (!member) {
            member = true;
            firstJoin.complete(null);
        }
        if (framing != null) {
            // The current prekey goes first, each session: the relay keeps the newest per binding.
            List<byte[]> first = framing.onMember();
            for (int i = first.size() - 1; i >= 0; i--) {
                unconfirmed.addFirst(first.get(i));
                unconfirmedBytes += first.get(i).length;
            }
        }
        offerPending();
    }

    /** A message that arrived: a text line (String) or an app frame. */
    private void deliver(Object message) {
        String line = message instanceof AppFrame.Notice n ? n.text() : message instanceof String s ? s : null;
        lastNoticeWasRemoval = REMOVED_NOTICE.equals(line);
        if (stage == Stage.JOINING) {
            // The welcome: shown the first time; after a reconnect only if it says something new (another name).
            if (firstWelcome == null) {
                firstWelcome = line;
            } else {
                incoming.offer("* reconnected");
                if (line != null && line.equals(firstWelcome)) {
                    return;
                }
            }
        }
        incoming.offer(message);
    }

    /** Moves the messages the channel has acknowledged whole out of {@link #unconfirmed}. */
    private void confirm() {
        long acknowledged = channel.acknowledgedMessages();
        boolean any = false;
        while (acknowledgedSeen < acknowledged && offered > 0) {
            unconfirmedBytes -= unconfirmed.removeFirst().length;
            offered--;
            acknowledgedSeen++;
            any = true;
        }
        if (any) {
            notifyAll();
        }
    }

    /** Offers the messages this session's channel has not had yet, as far as its queue takes them. */
    private void offerPending() {
        if (stage != Stage.MEMBER || offered == unconfirmed.size()) {
            return;
        }
        Iterator<byte[]> rest = unconfirmed.iterator();
        for (int i = 0; i < offered; i++) {
            rest.next();
        }
        while (rest.hasNext()) {
            if (!channel.offer(rest.next())) {
                return; // queue full: the rest when it has room
            }
            offered++;
        }
    }

    private void closedByServer(long now) {
        if (quitSent || !options.reconnect() || lastNoticeWasRemoval) {
            closedByServer = true;
            end(null);
        } else {
            sessionLost("the server ended the session", now);
        }
    }

    /** The session is over without this client asking: another, after a while, or the end. */
    private void sessionLost(String why, long now) {
        if (stage == Stage.HANDSHAKE || stage == Stage.JOINING) {
            attemptFailed(why, now);
            return;
        }
        if (!options.reconnect()) {
            end(new IOException(why));
            return;
        }
        dropSession(false);
        options.status().accept("lost the server at " + where() + ": " + why + "; reconnecting in " + seconds(backoff));
        backOff(now);
    }

    /**
     * A handshake or join that did not come to anything: the first connection fails, later ones back off.
     * The next try comes from a new UDP socket: the path may hold state for the old port that sends it
     * nowhere (a NAT, or a container's port forward whose connection-tracking entry was made while the
     * container was down), and a port that keeps sending keeps that state alive.
     */
    private void attemptFailed(String why, long now) {
        if (!member) {
            end(new IOException(why));
            return;
        }
        dropSession(true);
        options.status().accept("reconnecting to " + where() + " failed: " + why + "; next try in " + seconds(backoff));
        backOff(now);
    }

    private void backOff(long now) {
        stage = Stage.BACKOFF;
        backoffUntil = now + backoff;
        backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
    }

    /**
     * Forgets the session's state. Over the gateway its connection goes too (the connection is the session);
     * over UDP the socket stays unless {@code newSocket} (the class doc says why).
     */
    private void dropSession(boolean newSocket) {
        if (channel != null) {
            confirm();
        }
        channel = null;
        handshake = null;
        liveness = null;
        offered = 0;
        if (link != null && (udp == null || newSocket)) {
            link.close();
            link = null;
            inbox = null;
            udp = null;
        }
    }

    /** What a new session starts from; made without the lock, since it takes time (an RSA key pair, a connection). */
    private record Prepared(Link link, Inbox inbox, ClientHandshake handshake) {
    }

    /** A new session's link (the UDP socket kept, a new one, or a new gateway connection) and handshake. */
    private Prepared prepare() throws IOException {
        Link reuse;
        Inbox reuseInbox;
        synchronized (this) {
            reuse = udp;
            reuseInbox = inbox;
        }
        ClientHandshake.Offer offer;
        synchronized (this) {
            offer = framing != null ? framing.offer() : ClientHandshake.Offer.NONE;
        }
        ClientHandshake keys = new ClientHandshake(name, random, offer);
        if (reuse != null) {
            return new Prepared(reuse, reuseInbox, keys);
        }
        Inbox fresh = new Inbox();
        if (target instanceof Target.Udp u) {
            DatagramLink socket = DatagramLink.connect(u.address(), V2Codec.MAX_DATAGRAM, fresh);
            synchronized (this) {
                udp = socket;
            }
            return new Prepared(socket, fresh, keys);
        }
        URI gateway = ((Target.Gateway) target).url();
        return new Prepared(WebSocketLink.connect(HttpClient.newBuilder().connectTimeout(options.timeout()).build(),
                gateway, options.timeout(), fresh), fresh, keys);
    }

    /** Prepares and starts a session (on the I/O thread, or the opener's before it starts); the lock is not held. */
    private void startSession() {
        Prepared prepared;
        try {
            prepared = prepare();
        } catch (IOException e) {
            synchronized (this) {
                attemptFailed(e.getMessage(), System.nanoTime());
            }
            return;
        }
        synchronized (this) {
            if (stage != Stage.CONNECTING) {
                prepared.link().close(); // ended meanwhile (the only way out of CONNECTING but this one)
                return;
            }
            link = prepared.link();
            inbox = prepared.inbox();
            long now = System.nanoTime(); // the timeout is the network's, not the key generation's
            handshake = new ClientHandshakeDriver(prepared.handshake(), ClientHandshakeDriver.Timing.CONSOLE,
                    now + options.timeout().toNanos());
            stage = Stage.HANDSHAKE;
            link.send(handshake.start(now));
        }
    }

    private String noAnswer(long now) {
        if (handshake.answered()) {
            return "the server at " + where() + " answered the Hello but not the KeyOffer within "
                    + seconds(options.timeout().toNanos()) + " (" + handshake.offersSent() + " sent)";
        }
        return "no v2 handshake answer from the server at " + where() + " within " + seconds(options.timeout().toNanos())
                + " (" + handshake.hellosSent() + " Hellos sent): is a Ciphergram server listening there?"
                + (target instanceof Target.Udp ? " A server of the original system needs --classic." : "");
    }

    private String where() {
        return target instanceof Target.Udp u ? u.address().getHostString() + ":" + u.address().getPort()
                : ((Target.Gateway) target).url().toString();
    }

    static String seconds(long nanos) {
        double s = nanos / 1e9;
        return s == Math.rint(s) ? (long) s + " s" : String.format(Locale.ROOT, "%.1f s", s);
    }

    /** Ends for good: {@code why} null for an orderly end. Nothing more is sent. */
    private void end(IOException why) {
        if (stage == Stage.ENDED) {
            return;
        }
        stage = Stage.ENDED;
        if (why != null && failure == null) {
            failure = why;
        }
        if (link != null) {
            link.close();
        }
        if (why != null) {
            firstJoin.completeExceptionally(why);
        } else {
            firstJoin.complete(null);
        }
        incoming.offer(END);
        notifyAll();
    }

    /** Tells the server the session is over (best effort: a lost Close ends by idle timeout) and closes. */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            if ((stage == Stage.MEMBER || stage == Stage.JOINING) && channel != null) {
                link.send(channel.close(System.nanoTime())); // trusted already: the Ping went under these keys
            }
            end(null);
        }
        if (Thread.currentThread() != io) {
            try {
                io.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
