package io.ciphergram.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * One instance's membership of a cluster, over any {@link ClusterLink}: what it tells the others, what it
 * knows of them ({@link RemoteView}), and how it recovers from a lost link.
 *
 * <h2>Threads</h2>
 * Everything here is relay-thread state: the room calls it ({@link Cluster}), the engine calls
 * {@link #tick} every heartbeat and {@link #flush} at the end of every relay turn. The link completes its
 * results and tells its events on its own thread (for Redis, one Vert.x event loop); this class decodes
 * what arrives there ({@link ClusterCodec}, so bad input costs the I/O thread, not the relay) and posts
 * every result and message to the relay thread, where it changes state and reaches the
 * {@link ClusterListener}. Only {@link #status()}, {@link #counters()} and {@link #describe} may be used
 * from other threads.
 *
 * <h2>Names</h2>
 * The registry picks a name that is free here and, as far as this instance knows, everywhere
 * ({@link #claimedElsewhere}); the claim in the store is the arbiter. If it is refused (two instances
 * picked one name at once, or gave it out while apart), the listener renames this instance's session.
 *
 * <h2>Lines</h2>
 * Room lines go through the link's log ({@link ClusterLink#append}), which every instance reads in order
 * from where it left off, so an outage delays them and loses none. Each line keeps its place in
 * {@link #unconfirmed} until the link says it is stored; what is there when the link comes back (said
 * while it was down, or sent on a connection that broke before its answer came) is appended again, in
 * order. A copy that was stored twice is dropped by its readers ({@link SeenLines}). The hold is bounded
 * ({@link #MAX_HELD_LINES}, {@link #MAX_HELD_BYTES}): past it the oldest line is given up and counted as
 * unsent. Private messages still go straight to their one instance and are not held.
 *
 * <h2>Outages</h2>
 * While the link is down the room goes on locally: lines reach this instance's members at once and the
 * others' when the link is back; private messages reach only this instance (counted as unsent); names are
 * given out against what was last known. When the link is back, the instance announces its whole state
 * again (taking its names back where it can) and reads everyone else's. Instances not confirmed alive for
 * {@link ClusterSettings#ttl} are dropped, so while this instance is cut off the others' users leave its
 * room within {@link ClusterSettings#presenceBound}.
 */
public final class ClusterNode implements Cluster {

    /** The most lines held for the other instances (said while the link is down, or not yet stored). */
    public static final int MAX_HELD_LINES = 10_000;
    /** The most bytes they may take together. */
    public static final long MAX_HELD_BYTES = 8L << 20;
    /** How often a line is handed to the link before it is given up (a store that keeps refusing it). */
    static final int MAX_ATTEMPTS = 10;

    /** A line on its way to the log, until the link says it is stored. */
    private static final class Held {
        final byte[] bytes;
        int attempts;
        boolean inFlight;
        boolean stored;

        Held(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    private final ClusterSettings settings;
    private final String self;
    private final ClusterLink link;
    private final Executor relayThread;
    private final LongSupplier clock;
    private final long ttlNanos;
    private final ClusterCounters counters = new ClusterCounters();
    private final RemoteView view = new RemoteView();
    /** Names this instance's sessions hold, lower case to as shown. */
    private final Map<String, String> claims = new HashMap<>();
    /** Which of them are room members. */
    private final Set<String> members = new HashSet<>();
    /** The room each of our members is in (lower case name → room). */
    private final Map<String, String> roomsHere = new HashMap<>();
    /** The room each member of another instance is in, as its Moved messages said; absent: {@code #lobby}. */
    private final Map<String, String> roomsElsewhere = new HashMap<>();
    /** This instance's lines not yet known to be stored, oldest first. */
    private final ArrayDeque<Held> unconfirmed = new ArrayDeque<>();
    private long heldBytes;
    /** The other instances' lines delivered here. */
    private final SeenLines seen = new SeenLines();
    /** The number of this instance's next line: above any an earlier run with the same id gave out. */
    private long nextSeq = System.currentTimeMillis() * 1000;
    private ClusterListener listener;
    private long revision;
    private boolean linkUp;
    private boolean toldDown;
    private boolean leaving;
    private boolean snapshotPending;
    /** When the link last came up. */
    private long upSinceNanos;
    private volatile String info = "{}";
    private volatile int heldCount;
    private volatile ClusterStatus status;

    public ClusterNode(ClusterSettings settings, ClusterLink link, Executor relayThread, LongSupplier clock) {
        this.settings = settings;
        this.self = settings.instance();
        this.link = link;
        this.relayThread = relayThread;
        this.clock = clock;
        this.ttlNanos = settings.ttl().toNanos();
        publishStatus();
    }

    /** Connects; from now on {@code listener} hears what the other instances do. */
    public void start(ClusterListener listener) {
        this.listener = listener;
        link.start(new ClusterLink.Events() {
            @Override
            public void up() {
                onRelayThread(ClusterNode.this::onLinkUp);
            }

            @Override
            public void down() {
                onRelayThread(ClusterNode.this::onLinkDown);
            }

            @Override
            public void received(byte[] message) {
                ClusterNode.this.received(message);
            }
        });
    }

    public ClusterSettings settings() {
        return settings;
    }

    /** What this instance says of itself to the others (shown by their admin API). Any thread. */
    public void describe(String info) {
        this.info = info;
    }

    /** The cluster as last seen. Any thread. */
    public ClusterStatus status() {
        return status;
    }

    public ClusterCounters counters() {
        return counters;
    }

    /** Whether the link is connected now. Any thread. */
    public boolean linkUp() {
        return link.up();
    }

    // ---- what the room tells ------------------------------------------------------------------------

    @Override
    public void claimed(String name) {
        if (leaving) {
            return; // everything this instance held goes with it
        }
        String lower = lower(name);
        claims.put(lower, name);
        long rev = ++revision;
        if (linkUp) {
            link.claim(lower, name, rev, change(rev, ClusterMessage.Change.CLAIMED, name)).whenComplete((owner, failed) -> {
                if (failed == null && owner != null) {
                    onRelayThread(() -> refused(lower, owner));
                }
            });
        }
    }

    @Override
    public void released(String name) {
        if (leaving) {
            return;
        }
        String lower = lower(name);
        claims.remove(lower);
        long rev = ++revision;
        if (linkUp) {
            link.release(lower, rev, change(rev, ClusterMessage.Change.RELEASED, name));
        }
    }

    @Override
    public boolean claimedElsewhere(String name) {
        return view.claimed(lower(name));
    }

    @Override
    public void joined(String name, String room) {
        if (leaving) {
            return;
        }
        String lower = lower(name);
        boolean moving = members.contains(lower);
        roomsHere.put(lower, room);
        if (!moving) {
            member(name, true);
        }
        if (moving || !Cluster.LOBBY.equals(room)) {
            moved(name, room);
        }
    }

    @Override
    public void left(String name, String room) {
        roomsHere.remove(lower(name));
        member(name, false);
    }

    private void moved(String name, String room) {
        if (linkUp) {
            link.publish(ClusterCodec.encode(new ClusterMessage.Moved(self, name, room)));
            counters.published();
        }
    }

    private void member(String name, boolean joined) {
        if (leaving) {
            return;
        }
        String lower = lower(name);
        if (joined) {
            members.add(lower);
        } else {
            members.remove(lower);
        }
        long rev = ++revision;
        if (linkUp) {
            link.member(lower, joined, rev, change(rev, joined ? ClusterMessage.Change.JOINED : ClusterMessage.Change.LEFT, name));
        }
    }

    @Override
    public void line(String room, String from, String text, long timeMillis) {
        Held line = new Held(ClusterCodec.encode(new ClusterMessage.Line(self, nextSeq++, room, from, timeMillis, text)));
        unconfirmed.addLast(line);
        heldBytes += line.bytes.length;
        while (unconfirmed.size() > MAX_HELD_LINES || heldBytes > MAX_HELD_BYTES) {
            Held oldest = unconfirmed.removeFirst();
            heldBytes -= oldest.bytes.length;
            oldest.stored = true; // given up: an answer still to come changes nothing
            counters.unsent();
        }
        if (linkUp) {
            append(line);
            counters.published();
        }
    }

    /** Hands {@code line} to the link; it stays held until the link says it is stored. */
    private void append(Held line) {
        line.inFlight = true;
        line.attempts++;
        link.append(line.bytes).whenComplete((ok, failed) -> onRelayThread(() -> {
            line.inFlight = false;
            if (failed != null && line.attempts >= MAX_ATTEMPTS && !line.stored) {
                line.stored = true; // given up, and counted
                counters.unsent();
            }
            if (failed == null) {
                line.stored = true;
            }
            if (line.stored) {
                while (!unconfirmed.isEmpty() && unconfirmed.peekFirst().stored) {
                    heldBytes -= unconfirmed.removeFirst().bytes.length;
                }
            }
        }));
    }

    /** Appends again, in order, every held line that is not stored and not on its way. */
    private void resendHeld() {
        for (Held line : unconfirmed) {
            if (!line.stored && !line.inFlight) {
                append(line);
                counters.resent();
            }
        }
    }

    /** Lines held for the other instances now (the metrics read it). Any thread: an estimate. */
    public int heldLines() {
        return heldCount;
    }

    @Override
    public boolean sealed(String from, String to, byte[] envelope, long timeMillis) {
        String holder = view.holderOf(lower(to));
        if (holder == null) {
            return false;
        }
        if (linkUp) {
            link.send(holder, ClusterCodec.encode(new ClusterMessage.Sealed(self, from, to, timeMillis, envelope)));
            counters.published();
        } else {
            counters.unsent();
        }
        return true;
    }

    @Override
    public boolean direct(String from, String to, String text) {
        String holder = view.holderOf(lower(to));
        if (holder == null) {
            return false;
        }
        if (linkUp) {
            link.send(holder, ClusterCodec.encode(new ClusterMessage.Direct(self, from, to, text)));
            counters.published();
        } else {
            counters.unsent();
        }
        return true;
    }

    @Override
    public List<String> members(String room) {
        return view.members().stream().filter(name -> roomElsewhere(name).equals(room)).toList();
    }

    @Override
    public Map<String, Integer> rooms() {
        Map<String, Integer> counts = new HashMap<>();
        view.members().forEach(name -> counts.merge(roomElsewhere(name), 1, Integer::sum));
        return counts;
    }

    /** The room a member of another instance is in, as far as its Moved messages told ({@code #lobby} first). */
    private String roomElsewhere(String name) {
        return roomsElsewhere.getOrDefault(lower(name), Cluster.LOBBY);
    }

    @Override
    public boolean memberElsewhere(String name) {
        return view.member(lower(name));
    }

    @Override
    public void leave() {
        leaving = true;
        if (linkUp) {
            link.leave(ClusterCodec.encode(new ClusterMessage.Bye(self)));
        }
    }

    // ---- the engine's calls -------------------------------------------------------------------------

    /** Every heartbeat: keeps this instance alive in the store, reads the others, drops the silent ones. */
    public void tick() {
        long now = clock.getAsLong();
        if (linkUp && !leaving) {
            link.heartbeat(info).whenComplete((existed, failed) -> {
                if (failed == null && !existed) {
                    onRelayThread(() -> {
                        if (linkUp && !leaving) {
                            announce(); // the others took us for dead and removed our names
                        }
                    });
                }
            });
            askSnapshot(now);
            resendHeld(); // what the store refused, or what was on a connection that broke
        }
        changed(view.expire(now, ttlNanos));
        heldCount = unconfirmed.size();
        publishStatus();
    }

    /** The end of a relay turn: the link sends what this turn queued. */
    public void flush() {
        link.flush();
    }

    /**
     * Sends what is queued (the goodbye {@link #leave} queued) and closes the link, waiting at most
     * {@code grace}. Any thread, once the relay has stopped using this node.
     */
    public void close(Duration grace) {
        link.close(grace);
    }

    // ---- what the link tells ------------------------------------------------------------------------

    private void onLinkUp() {
        if (linkUp || leaving) {
            return;
        }
        linkUp = true;
        upSinceNanos = clock.getAsLong();
        announce();
        resendHeld();
        if (toldDown) {
            toldDown = false;
            listener.link(true);
        }
        publishStatus();
    }

    private void onLinkDown() {
        if (!linkUp) {
            return;
        }
        linkUp = false;
        snapshotPending = false;
        if (!leaving) {
            toldDown = true;
            listener.link(false);
        }
        publishStatus();
    }

    /** On the link's thread: decoded here, handled on the relay thread. */
    private void received(byte[] bytes) {
        ClusterMessage message;
        try {
            message = ClusterCodec.decode(bytes);
        } catch (ClusterCodec.Malformed e) {
            counters.dropped(e.reason() == ClusterCodec.Reason.OVERSIZE ? ClusterCounters.Drop.OVERSIZE
                    : ClusterCounters.Drop.MALFORMED);
            return;
        }
        if (message.origin().equals(self)) {
            return; // our own, back from the bus
        }
        counters.received();
        onRelayThread(() -> handle(message));
    }

    private void handle(ClusterMessage message) {
        if (leaving) {
            return;
        }
        long now = clock.getAsLong();
        if (message instanceof ClusterMessage.Line line) {
            if (!seen.first(line.origin(), line.seq())) {
                counters.dropped(ClusterCounters.Drop.DUPLICATE);
                return;
            }
            listener.line(line.room(), line.timeMillis(), line.from(), line.text());
        } else if (message instanceof ClusterMessage.Sealed sealed) {
            if (!listener.sealed(sealed.from(), sealed.to(), sealed.envelope(), sealed.timeMillis())) {
                counters.dropped(ClusterCounters.Drop.UNDELIVERABLE);
            }
        } else if (message instanceof ClusterMessage.Moved moved) {
            String lower = lower(moved.name());
            String before = roomsElsewhere.getOrDefault(lower, Cluster.LOBBY);
            roomsElsewhere.put(lower, moved.room());
            if (view.member(lower) && !before.equals(moved.room())) {
                listener.left(moved.name(), before);
                listener.joined(moved.name(), moved.room());
            }
        } else if (message instanceof ClusterMessage.Direct direct) {
            if (!listener.direct(direct.from(), direct.to(), direct.text())) {
                counters.dropped(ClusterCounters.Drop.UNDELIVERABLE);
            }
        } else if (message instanceof ClusterMessage.NameChange change) {
            changed(view.apply(change, now));
        } else if (message instanceof ClusterMessage.Hello) {
            askSnapshot(now);
            // The newcomer (or an instance that lost its link) learns where our members are.
            roomsHere.forEach((lower, room) -> {
                if (!Cluster.LOBBY.equals(room)) {
                    moved(claims.getOrDefault(lower, lower), room);
                }
            });
        } else if (message instanceof ClusterMessage.Bye bye) {
            changed(view.drop(bye.origin()));
            publishStatus();
        }
    }

    private void announce() {
        long asked = clock.getAsLong();
        link.announce(new ClusterLink.Announcement(info, revision, Map.copyOf(claims), Set.copyOf(members),
                ClusterCodec.encode(new ClusterMessage.Hello(self)))).whenComplete((refused, failed) -> {
                    if (failed == null) {
                        onRelayThread(() -> {
                            refused.forEach((lower, owner) -> refused(lower, owner));
                            askSnapshot(asked);
                        });
                    }
                });
    }

    private void askSnapshot(long asked) {
        if (snapshotPending || !linkUp) {
            return;
        }
        snapshotPending = true;
        link.snapshot().whenComplete((states, failed) -> onRelayThread(() -> {
            snapshotPending = false;
            if (failed == null && !leaving) {
                // Missing from the store means dead, unless the store itself came back empty (a Redis restart)
                // and the others have not announced themselves again yet: they have a ttl to do so.
                long now = clock.getAsLong();
                boolean settled = now - upSinceNanos >= ttlNanos;
                changed(view.replace(wellFormed(states), self, asked, now, upSinceNanos, settled));
                publishStatus();
            }
        }));
    }

    /** Our claim of {@code lower} was refused: {@code owner} holds it. */
    private void refused(String lower, String owner) {
        String name = claims.get(lower);
        if (name == null || !ClusterCodec.isInstanceId(owner)) {
            return; // released meanwhile
        }
        view.claimedBy(owner, lower, name, clock.getAsLong());
        counters.renamed();
        listener.refused(name);
    }

    private void changed(RemoteView.Changes changes) {
        if (changes.none()) {
            return;
        }
        changes.left().forEach(name -> listener.left(name, roomsElsewhere.getOrDefault(lower(name), Cluster.LOBBY)));
        changes.left().forEach(name -> {
            if (!view.member(lower(name))) {
                roomsElsewhere.remove(lower(name));
            }
        });
        changes.joined().forEach(name -> listener.joined(name, roomElsewhere(name)));
    }

    /** What a snapshot says, without what no instance of ours could have written. */
    private List<ClusterLink.InstanceState> wellFormed(List<ClusterLink.InstanceState> states) {
        List<ClusterLink.InstanceState> kept = new ArrayList<>(states.size());
        for (ClusterLink.InstanceState state : states) {
            if (!ClusterCodec.isInstanceId(state.id()) || state.revision() < 0) {
                counters.dropped(ClusterCounters.Drop.MALFORMED);
                continue;
            }
            Map<String, String> names = new HashMap<>();
            state.claims().forEach((lower, name) -> {
                if (ClusterCodec.isName(name) && lower(name).equals(lower)) {
                    names.put(lower, name);
                } else {
                    counters.dropped(ClusterCounters.Drop.MALFORMED);
                }
            });
            Set<String> listed = new HashSet<>();
            for (String lower : state.members()) {
                if (ClusterCodec.isName(lower) && lower(lower).equals(lower)) {
                    listed.add(lower);
                } else {
                    counters.dropped(ClusterCounters.Drop.MALFORMED);
                }
            }
            String about = state.info() == null || state.info().length() > MAX_INFO ? "{}" : state.info();
            kept.add(new ClusterLink.InstanceState(state.id(), state.revision(), about, names, listed));
        }
        return kept;
    }

    /** The most an instance may say of itself. */
    static final int MAX_INFO = 1024;

    private byte[] change(long rev, ClusterMessage.Change change, String name) {
        return ClusterCodec.encode(new ClusterMessage.NameChange(self, rev, change, name));
    }

    private void publishStatus() {
        List<ClusterStatus.Instance> instances = new ArrayList<>();
        instances.add(new ClusterStatus.Instance(self, info, members.size(), true));
        instances.addAll(view.status());
        status = new ClusterStatus(settings.name(), self, linkUp, List.copyOf(instances));
    }

    private void onRelayThread(Runnable task) {
        try {
            relayThread.execute(task);
        } catch (RejectedExecutionException e) {
            // the relay is stopping
        }
    }

    static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
