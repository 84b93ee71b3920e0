package io.ciphergram.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * Runs one benchmark: builds the clients and their sockets, times their handshakes, runs the steps (one,
 * or rising ones with find-capacity) and gathers what they measured into a {@link BenchReport}. Prints a
 * progress line a second on {@code err}.
 *
 * <p>Threads: the caller's thread orchestrates (and prints); one {@link Sender} thread per step; the
 * receive threads of {@link DatagramLanes} (UDP sockets and WebSockets alike); one
 * {@link Ticker}; with the plain baseline, the {@link PlainRelay}'s thread. All are stopped before
 * {@link #run} returns, however it returns.
 */
public final class LoadGenerator {

    /** Handshakes in flight at once: enough to keep the server busy, few enough not to overrun its socket. */
    private static final int HANDSHAKE_WINDOW = 64;
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long DRAIN_POLL_MILLIS = 10;

    private final BenchConfig config;
    private final PrintStream err;
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<String> notes = new ArrayList<>();
    /** The threads that decrypt deliveries: the receive lanes' threads. */
    private List<Thread> receiveThreads = List.of();
    private final List<InetSocketAddress> activeSockets = new ArrayList<>();
    private final MeasureWindow window = new MeasureWindow();
    private final LongAdder seen = new LongAdder();
    private final LongAdder measured = new LongAdder();
    private InetSocketAddress serverSocket;
    private ClientContext context;
    private DeliveryTally[] tallies;
    /** The first message number the next step uses: steps never share one. */
    private long nextSeq;

    public LoadGenerator(BenchConfig config, PrintStream err) {
        this.config = config;
        this.err = err;
    }

    /**
     * Runs the benchmark once (an instance is good for one run) and stops every thread it started.
     *
     * @throws IOException if the clients could not be set up or did not all join the room
     */
    public BenchReport run() throws IOException, InterruptedException {
        try {
            return runAndKeepResources();
        } finally {
            closeAll();
        }
    }

    private BenchReport runAndKeepResources() throws IOException, InterruptedException {
        SecureRandom random = fastSecureRandom();
        BenchText format = new BenchText(BenchText.randomRun(random));
        ClientKeys keys = config.plainBaseline() ? null : ClientKeys.generate(random);
        context = new ClientContext(format, config.clients(), System.nanoTime(), keys, random, config.room());
        int lanes = config.receiveThreads();
        tallies = new DeliveryTally[lanes];
        for (int i = 0; i < lanes; i++) {
            tallies[i] = new DeliveryTally(format, window, config.clients(), config.senders(), seen, measured);
        }
        DatagramLanes datagramLanes = own(new DatagramLanes(lanes, err));
        List<BenchClient> active = config.transport() == BenchConfig.Transport.UDP
                ? udpClients(format.run(), datagramLanes, random)
                : webSocketClients(format.run(), datagramLanes, random);
        List<BenchClient> idle = idleSessions(format.run(), datagramLanes);
        datagramLanes.start();
        receiveThreads = datagramLanes.threads();
        List<BenchClient> everyone = new ArrayList<>(active);
        everyone.addAll(idle);
        own(new Ticker(everyone, err));

        HandshakeStats handshakes = null;
        if (!config.plainBaseline()) {
            long started = System.nanoTime();
            handshakes = handshake(active, "clients joined");
            if (handshakes.completed() < active.size()) {
                throw new IOException(String.format(Locale.ROOT, "only %d of %d clients joined the room in %.1f s"
                        + " (--timeout %s s; is the server at %s running? its per-source limits or flood control may"
                        + " also refuse them)", handshakes.completed(), active.size(), (System.nanoTime() - started) / 1e9,
                        CapacitySearch.plain(config.timeoutSeconds()), config.target()));
            }
            V2Frame.Limits limits = context.serverLimits.get();
            if (limits != null) {
                err.printf(Locale.ROOT, "[server] flood control: %d messages/s per session, burst %d (stated in the v2"
                        + " handshake)%n", limits.messagesPerSecond(), limits.burst());
            }
        }
        HandshakeStats idleHandshakes = idle.isEmpty() ? null : handshake(idle, "idle sessions established");

        List<StepResult> steps = new ArrayList<>();
        StepResult capacity = null;
        String stopReason = null;
        if (config.findCapacity()) {
            CapacitySearch search = new CapacitySearch(config.rate(), config.stepFactor(), config.maxLossPercent(), config.maxP99Millis(),
                    config.maxSteps());
            while (!search.done()) {
                StepResult step = step(steps.size() + 1, search.nextRate(), active);
                steps.add(step);
                search.record(step);
            }
            capacity = search.best().orElse(null);
            stopReason = search.stopReason();
        } else {
            steps.add(step(1, config.rate(), active));
        }
        if (!config.plainBaseline()) {
            long now = System.nanoTime();
            for (BenchClient client : active) {
                client.leave(now);
            }
        }
        var fingerprint = context.serverFingerprint.get();
        return new BenchReport(config, format.run(), fingerprint == null ? null : fingerprint.toString(), handshakes,
                idleHandshakes, steps, capacity, stopReason, context.undecryptable.sum(), context.sessionsLost.sum(),
                context.floodNotices.sum(), notes);
    }

    /** Active clients over UDP, each on its own loopback source, connected to the server or the plain relay. */
    private List<BenchClient> udpClients(String run, DatagramLanes lanes, SecureRandom random)
            throws IOException {
        InetAddress target = config.plainBaseline() ? InetAddress.getLoopbackAddress() : config.server().getAddress();
        SourceAddresses sources = SourceAddresses.of(SourceAddresses.ACTIVE_BLOCK, 1, target);
        if (!sources.spread()) {
            notes.add("the clients are not spread over 127.2.x.y (the server is not on IPv4 loopback, or this host"
                    + " cannot bind those): the server's per-source limits apply to them together");
        }
        SessionKey shared = config.plainBaseline() ? SessionKey.random(random) : null;
        List<BenchClient> clients = new ArrayList<>();
        List<UdpEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < config.clients(); i++) {
            DeliveryTally tally = tallies[i % tallies.length];
            BenchClient client;
            if (config.plainBaseline()) {
                client = ClassicClient.preKeyed(i, context, tally, shared);
            } else if (config.profile() == BenchConfig.Profile.CLASSIC) {
                client = new ClassicClient(i, clientName(run, i), false, context, tally);
            } else {
                client = new V2Client(i, clientName(run, i), false, context, tally);
            }
            UdpEndpoint endpoint = own(UdpEndpoint.bind(sources.forSession(i), true));
            client.attach(endpoint);
            lanes.register(i % lanes.lanes(), endpoint, client);
            clients.add(client);
            endpoints.add(endpoint);
            activeSockets.add(endpoint.localAddress());
        }
        if (config.plainBaseline()) {
            PlainRelay relay = own(PlainRelay.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), activeSockets));
            serverSocket = relay.address();
        } else {
            serverSocket = config.server();
        }
        for (int i = 0; i < endpoints.size(); i++) {
            boolean receiverElsewhere = config.receiveServer() != null && i >= config.senders();
            endpoints.get(i).connect(receiverElsewhere ? config.receiveServer() : serverSocket);
        }
        return clients;
    }

    /**
     * Active v2 clients through the gateway, one WebSocket each ({@link WebSocketEndpoint}), read by the
     * receive lanes as UDP sockets are, each from its own loopback source where the gateway is on loopback.
     */
    private List<BenchClient> webSocketClients(String run, DatagramLanes lanes, SecureRandom random) throws IOException {
        InetAddress target = InetAddress.getByName(config.gateway().getHost());
        SourceAddresses sources = SourceAddresses.of(SourceAddresses.ACTIVE_BLOCK, 1, target);
        if (!sources.spread()) {
            notes.add("the WebSocket clients are not spread over 127.2.x.y (the gateway is not on IPv4 loopback, or"
                    + " this host cannot bind those): the server's per-source limits apply to them together (its"
                    + " per-source handshake limit, 20/s with a burst of 50, paces more than 50 clients)");
        }
        Duration timeout = Duration.ofMillis((long) (config.timeoutSeconds() * 1000));
        List<BenchClient> clients = new ArrayList<>();
        for (int i = 0; i < config.clients(); i++) {
            V2Client client = new V2Client(i, clientName(run, i), false, context, tallies[i % tallies.length]);
            WebSocketEndpoint endpoint = own(WebSocketEndpoint.connect(config.gateway(),
                    sources.spread() ? sources.forSession(i) : null, timeout, random));
            client.attach(endpoint);
            lanes.register(i % lanes.lanes(), endpoint, client);
            clients.add(client);
        }
        return clients;
    }

    /** Sessions that only shake hands, over UDP, {@value SourceAddresses#IDLE_PER_SOURCE} per loopback source. */
    private List<BenchClient> idleSessions(String run, DatagramLanes lanes) throws IOException {
        List<BenchClient> idle = new ArrayList<>();
        if (config.idleSessions() == 0) {
            return idle;
        }
        SourceAddresses sources = SourceAddresses.of(SourceAddresses.IDLE_BLOCK, SourceAddresses.IDLE_PER_SOURCE,
                config.server().getAddress());
        if (!sources.spread()) {
            notes.add("idle sessions are not spread over 127.1.x.y (the server is not on IPv4 loopback, or this host"
                    + " cannot bind those): they meet the server's per-source limits together");
        }
        for (int j = 0; j < config.idleSessions(); j++) {
            DeliveryTally tally = tallies[j % tallies.length];
            String name = "i" + run + "-" + j;
            BenchClient session = config.profile() == BenchConfig.Profile.CLASSIC
                    ? new ClassicClient(-1, name, true, context, tally)
                    : new V2Client(-1, name, true, context, tally);
            UdpEndpoint endpoint = own(UdpEndpoint.bind(sources.forSession(j), false));
            endpoint.connect(config.server());
            session.attach(endpoint);
            lanes.register(j % lanes.lanes(), endpoint, session);
            idle.add(session);
        }
        return idle;
    }

    private static String clientName(String run, int i) {
        return "b" + run + "-" + i;
    }

    /** Starts every handshake, {@value #HANDSHAKE_WINDOW} at a time, and waits for them within the timeout. */
    private HandshakeStats handshake(List<BenchClient> clients, String what) throws InterruptedException {
        Semaphore slots = new Semaphore(HANDSHAKE_WINDOW);
        CountDownLatch finished = new CountDownLatch(clients.size());
        AtomicInteger completed = new AtomicInteger();
        AtomicLong lastDone = new AtomicLong();
        BenchClient.HandshakeListener listener = (client, ok) -> {
            if (ok) {
                completed.incrementAndGet();
                lastDone.accumulateAndGet(System.nanoTime(), Math::max);
            }
            slots.release();
            finished.countDown();
        };
        long start = System.nanoTime();
        long deadline = start + (long) (config.timeoutSeconds() * 1e9);
        long nextProgress = start + PROGRESS_NANOS;
        int started = 0;
        while (started < clients.size()) {
            long now = System.nanoTime();
            if (now >= deadline) {
                break;
            }
            if (now >= nextProgress) {
                err.printf(Locale.ROOT, "[handshakes] %d of %d %s%n", completed.get(), clients.size(), what);
                nextProgress = now + PROGRESS_NANOS;
            }
            if (slots.tryAcquire(Math.min(deadline, nextProgress) - now, TimeUnit.NANOSECONDS)) {
                clients.get(started++).start(listener, System.nanoTime(), deadline);
            }
        }
        while (!finished.await(Math.max(0, Math.min(deadline, nextProgress) - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            if (System.nanoTime() >= deadline) {
                break;
            }
            err.printf(Locale.ROOT, "[handshakes] %d of %d %s%n", completed.get(), clients.size(), what);
            nextProgress = System.nanoTime() + PROGRESS_NANOS;
        }
        for (BenchClient client : clients) {
            client.abandon(); // those still shaking hands stop and count as failed
        }
        int done = completed.get();
        long end = done > 0 ? lastDone.get() : System.nanoTime();
        HandshakeStats stats = new HandshakeStats(clients.size(), done, clients.size() - done, (end - start) / 1e9);
        err.printf(Locale.ROOT, "[handshakes] %d of %d %s in %.2f s (%.1f/s)%s%n", done, clients.size(), what,
                stats.seconds(), stats.perSecond(), started < clients.size() ? "; " + (clients.size() - started)
                        + " never started (timeout)" : "");
        return stats;
    }

    /**
     * What the server's flood control will drop of a step at {@code rate}, if it states its limits (v2): each
     * sending session may send {@code messages_per_second} (after its burst), so the senders together that many
     * times more. Null when the rate is within it or nothing is known.
     */
    private String floodControlBound(int number, double rate) {
        V2Frame.Limits limits = context.serverLimits.get();
        if (limits == null || limits.messagesPerSecond() <= 0) {
            return null;
        }
        double accepted = (double) limits.messagesPerSecond() * config.senders();
        if (rate <= accepted) {
            return null;
        }
        return String.format(Locale.ROOT, "step %d offered %.0f/s, but the server's flood control accepts %d/s per"
                + " session (burst %d, stated in its v2 handshake), so %.0f/s from %d senders: what is over that is"
                + " dropped by flood control, not for lack of capacity (more --clients, or raise the server's"
                + " ciphergram.flood.per-second for the test)", number, rate, limits.messagesPerSecond(), limits.burst(),
                accepted, config.senders());
    }

    /** One step: warmup and measured window at {@code rate}, then the drain; the measurements. */
    private StepResult step(int number, double rate, List<BenchClient> active) throws InterruptedException {
        String bound = floodControlBound(number, rate);
        if (bound != null) {
            notes.add(bound);
            err.println("[step " + number + "] NOTE: " + bound);
        }
        long floodNoticesBefore = context.floodNotices.sum();
        long warmupNanos = (long) (config.warmupSeconds() * 1e9);
        long durationNanos = (long) (config.durationSeconds() * 1e9);
        Sender sender = new Sender(active.subList(0, config.senders()), context, window,
                new Sender.Plan(rate, warmupNanos, durationNanos, nextSeq, config.size()));
        SocketDrops dropsBefore = SocketDrops.read();
        long[] cpuBefore = receiveCpu();
        long processCpuBefore = ProcessCpu.ofThisJvm();
        long measuredBefore = measured.sum();
        long wallStart = System.nanoTime();
        Thread thread = new Thread(sender, "ciphergram-bench-sender");
        thread.setDaemon(true);
        thread.start();
        Progress progress = new Progress(number, rate, sender, warmupNanos, durationNanos);
        WindowSampler cpuSampler = new WindowSampler(sender, warmupNanos, durationNanos);
        while (thread.isAlive()) {
            long wakeAt = Math.min(progress.nextAt, cpuSampler.nextAt());
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wakeAt - System.nanoTime())));
            cpuSampler.sampleIfDue();
            progress.printIfDue();
        }
        CpuWindow cpu = cpuSampler.finish();
        Sender.Outcome sent = sender.outcome();
        long expected = StepResult.expected(sent.sent(), config.clients());
        long drainEnd = System.nanoTime() + (long) (config.drainSeconds() * 1e9);
        while (measured.sum() - measuredBefore < expected && System.nanoTime() < drainEnd) {
            TimeUnit.MILLISECONDS.sleep(DRAIN_POLL_MILLIS);
            progress.printIfDue();
        }
        window.close();
        long wallNanos = System.nanoTime() - wallStart;
        Histogram latency = Latency.newHistogram();
        long delivered = 0;
        long duplicates = 0;
        long misrouted = 0;
        for (DeliveryTally tally : tallies) {
            DeliveryTally.Counts counts = tally.drainInto(latency);
            delivered += counts.delivered();
            duplicates += counts.duplicates();
            misrouted += counts.misrouted();
        }
        SocketDrops dropsAfter = SocketDrops.read();
        long generatorDrops = difference(dropsBefore.sum(activeSockets), dropsAfter.sum(activeSockets));
        if (config.transport() == BenchConfig.Transport.WS) {
            generatorDrops = -1; // TCP: nothing is dropped, a slow reader slows the server's writes instead
        }
        long serverDrops = serverSocket == null ? -1
                : difference(dropsBefore.server(serverSocket), dropsAfter.server(serverSocket));
        double senderCpu = percent(sent.cpuNanos(), warmupNanos + durationNanos);
        double receiverCpu = maxCpuPercent(cpuBefore, receiveCpu(), wallNanos);
        long processCpuAfter = ProcessCpu.ofThisJvm();
        double processCpu = processCpuBefore < 0 || processCpuAfter < 0 ? -1
                : percent(processCpuAfter - processCpuBefore, wallNanos);
        StepResult result = new StepResult(number, rate, config.warmupSeconds(), config.durationSeconds(), config.clients(),
                sent.sent(), delivered, duplicates, misrouted, sent.backpressured(), sent.failed(),
                sent.maxLagNanos() / 1e6, Latency.of(latency), generatorDrops, serverDrops, senderCpu, receiverCpu,
                processCpu, cpu);
        long flooded = context.floodNotices.sum() - floodNoticesBefore;
        if (flooded > 0) {
            notes.add("step " + number + ": the server's flood control dropped messages (" + flooded + " \"slow down\""
                    + " notices to the senders): loss in this step is its limit per session, not its capacity");
        }
        err.printf(Locale.ROOT, "[step %d] offered %.1f/s, sent %.1f/s, delivered %d of %d (loss %.3f%%), %.1f/s,"
                + " p99 %.0f us%s%s%n", number, rate, result.achievedRate(), delivered, result.expected(),
                result.lossPercent(), result.deliveredPerSecond(), result.latency().p99Micros(),
                result.generatorLimited() ? " [GENERATOR LIMITED]" : "", flooded > 0 ? " [FLOOD CONTROL]" : "");
        nextSeq = sent.nextSeq();
        return result;
    }

    /**
     * Samples both sides' CPU as the measured window opens and as it closes, woken for each by the step's
     * loop, so that the cost per delivery covers the window's work and not the warmup's or the drain's.
     */
    private final class WindowSampler {
        private final Sender sender;
        private final long warmupNanos;
        private final long durationNanos;
        private long wallAtOpen;
        private long generatorAtOpen = -1;
        private long serverAtOpen = -1;
        private boolean opened;
        private CpuWindow closed;

        WindowSampler(Sender sender, long warmupNanos, long durationNanos) {
            this.sender = sender;
            this.warmupNanos = warmupNanos;
            this.durationNanos = durationNanos;
        }

        /** When the next sample is due; soon while the sender has not started its schedule. */
        long nextAt() {
            long start = sender.startNanos();
            if (start == Long.MAX_VALUE) {
                return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
            }
            return opened ? start + warmupNanos + durationNanos : start + warmupNanos;
        }

        void sampleIfDue() {
            long start = sender.startNanos();
            if (start == Long.MAX_VALUE || closed != null) {
                return;
            }
            long now = System.nanoTime();
            if (!opened && now - start >= warmupNanos) {
                opened = true;
                wallAtOpen = now;
                generatorAtOpen = ProcessCpu.ofThisJvm();
                serverAtOpen = ProcessCpu.ofProcess(config.serverPid());
            }
            if (opened && now - start >= warmupNanos + durationNanos) {
                closed = close(now);
            }
        }

        /**
         * The window as sampled. The sender ends at its last message of the window, up to one interval before
         * the window does: the window is closed at its end all the same, so that its wall time is the one
         * its deliveries are counted over.
         */
        CpuWindow finish() {
            if (closed == null && opened) {
                long end = sender.startNanos() + warmupNanos + durationNanos;
                for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                closed = close(System.nanoTime());
            }
            return closed != null ? closed : CpuWindow.unknown(cores());
        }

        private CpuWindow close(long now) {
            long generator = ProcessCpu.ofThisJvm();
            long server = ProcessCpu.ofProcess(config.serverPid());
            return new CpuWindow(now - wallAtOpen, difference(generatorAtOpen, generator),
                    difference(serverAtOpen, server), cores());
        }
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The progress line, once a second, on stderr. */
    private final class Progress {
        private final int step;
        private final double rate;
        private final Sender sender;
        private final long warmupNanos;
        private final long durationNanos;
        private long nextAt = System.nanoTime() + PROGRESS_NANOS;
        private long lastAt = System.nanoTime();
        private long lastSent;
        private long lastSeen = seen.sum();

        Progress(int step, double rate, Sender sender, long warmupNanos, long durationNanos) {
            this.step = step;
            this.rate = rate;
            this.sender = sender;
            this.warmupNanos = warmupNanos;
            this.durationNanos = durationNanos;
        }

        void printIfDue() {
            long now = System.nanoTime();
            if (now < nextAt) {
                return;
            }
            long sentNow = sender.sentSoFar();
            long seenNow = seen.sum();
            double seconds = (now - lastAt) / 1e9;
            long elapsed = now - sender.startNanos();
            String phase = elapsed < warmupNanos ? "warmup" : elapsed < warmupNanos + durationNanos ? "measure" : "drain";
            err.printf(Locale.ROOT, "[step %d @ %.0f/s] %-7s %5.1f s  sent %.0f/s  received %.0f/s%s%n", step, rate, phase,
                    Math.max(0, elapsed) / 1e9, (sentNow - lastSent) / seconds, (seenNow - lastSeen) / seconds,
                    config.findCapacity() ? "  " + timeLeft(step, elapsed) : "");
            lastSent = sentNow;
            lastSeen = seenNow;
            lastAt = now;
            nextAt = now + PROGRESS_NANOS;
        }
    }

    /**
     * find-capacity: the time left if every step up to {@code --max-steps} runs whole (this one's rest, then
     * warmup, measured window and drain for each after it); the search usually stops sooner, at the first step
     * over its bounds, so it is an upper bound and says so.
     */
    private String timeLeft(int step, long elapsedInStepNanos) {
        double perStep = config.warmupSeconds() + config.durationSeconds() + config.drainSeconds();
        double thisStep = Math.max(0, perStep - elapsedInStepNanos / 1e9);
        double left = thisStep + perStep * Math.max(0, config.maxSteps() - step);
        return "at most " + duration(left) + " left (" + step + " of at most " + config.maxSteps() + " steps)";
    }

    static String duration(double seconds) {
        long s = Math.round(Math.ceil(seconds));
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + " s";
    }

    private long[] receiveCpu() {
        List<Thread> threads = List.copyOf(receiveThreads);
        long[] cpu = new long[threads.size()];
        for (int i = 0; i < cpu.length; i++) {
            cpu[i] = threadBean.getThreadCpuTime(threads.get(i).getId());
        }
        return cpu;
    }

    private static double maxCpuPercent(long[] before, long[] after, long wallNanos) {
        double max = 0;
        for (int i = 0; i < after.length; i++) {
            long start = i < before.length ? before[i] : 0;
            if (after[i] >= 0 && start >= 0) {
                max = Math.max(max, percent(after[i] - start, wallNanos));
            }
        }
        return max;
    }

    private static double percent(long cpuNanos, long wallNanos) {
        return cpuNanos < 0 || wallNanos <= 0 ? -1 : 100.0 * cpuNanos / wallNanos;
    }

    private static long difference(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    /** A CSPRNG that does not take a lock around /dev/urandom for every IV. */
    private static SecureRandom fastSecureRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    private void closeAll() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                // closing anyway
            }
        }
    }
}
