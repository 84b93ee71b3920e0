package io.ciphergram.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The store and bus of {@link ClusterLink}, in memory, for instances in one JVM: the same rules as the
 * Redis link (a name held by at most one live instance, liveness that expires on a clock, claims freed
 * with their dead instance, messages to all or to one), so engines can be tested together without a
 * server. Room lines go through a log each link reads in order from where it left off, as the Redis link's
 * stream ({@link #restart} empties it but, as Redis's time-based ids, never reuses a position). Every
 * result and every delivery runs on {@code delivery} (a test passes a queue it drains, so nothing
 * re-enters the caller); {@link #cut} and {@link #mend} take one instance's link down and up;
 * {@link #loseAnswers} makes its requests take effect while their answers are lost, as on a connection that
 * breaks after Redis ran them. Thread-safe.
 */
public final class MemoryHub {

    private final LongSupplier clock;
    private final Executor delivery;
    private final Map<String, Link> links = new HashMap<>();
    private final Set<String> instances = new LinkedHashSet<>();
    private final Map<String, Long> aliveUntil = new HashMap<>();
    private final Map<String, String> infos = new HashMap<>();
    private final Map<String, Long> revisions = new HashMap<>();
    private final Map<String, Map<String, String>> claims = new HashMap<>();
    private final Map<String, Set<String>> members = new HashMap<>();
    /** Lower case name to the instance that holds it. */
    private final Map<String, String> holders = new HashMap<>();
    /** The lines' log: position (from 1) to entry; positions only grow. */
    private final java.util.TreeMap<Long, byte[]> log = new java.util.TreeMap<>();
    private long lastPosition;

    /**
     * @param clock nanoseconds, the instances' clock
     * @param delivery runs every completion and delivery, in order
     */
    public MemoryHub(LongSupplier clock, Executor delivery) {
        this.clock = clock;
        this.delivery = delivery;
    }

    /** The link of instance {@code settings.instance()}. */
    public synchronized ClusterLink link(ClusterSettings settings) {
        Link link = new Link(settings.instance(), settings.ttl());
        links.put(settings.instance(), link);
        return link;
    }

    /** Instance {@code id} loses its link: its calls fail, it hears nothing, its liveness runs out. */
    public void cut(String id) {
        Link link;
        synchronized (this) {
            link = links.get(id);
            link.up = false;
        }
        delivery.execute(() -> link.events.down());
    }

    /** Its link is back. */
    public void mend(String id) {
        Link link;
        synchronized (this) {
            link = links.get(id);
            link.up = true;
        }
        delivery.execute(() -> link.events.up());
        synchronized (this) {
            link.read();
        }
    }

    /** While {@code lose}, instance {@code id}'s requests are carried out but their answers fail. */
    public synchronized void loseAnswers(String id, boolean lose) {
        links.get(id).losing = lose;
    }

    /** How many entries the log holds. */
    public synchronized int logged() {
        return log.size();
    }

    /** The store restarts empty (as Redis without persistence does): every link goes down, everything is lost. */
    public void restart() {
        List<String> ids;
        synchronized (this) {
            ids = List.copyOf(links.keySet());
            instances.clear();
            aliveUntil.clear();
            infos.clear();
            revisions.clear();
            claims.clear();
            members.clear();
            holders.clear();
            log.clear();
        }
        ids.forEach(this::cut);
    }

    /** Who holds {@code lower}, or null. */
    public synchronized String holder(String lower) {
        return holders.get(lower);
    }

    /** Bytes as anyone with access to the bus could send them, to every instance. */
    public void inject(byte[] message) {
        List<Link> to;
        synchronized (this) {
            to = links.values().stream().filter(l -> l.up).toList();
        }
        to.forEach(l -> delivery.execute(() -> l.events.received(message)));
    }

    private void publish(byte[] message) {
        for (Link l : links.values()) {
            if (l.up) {
                delivery.execute(() -> l.events.received(message));
            }
        }
    }

    private boolean live(String id) {
        Long until = aliveUntil.get(id);
        return until != null && until - clock.getAsLong() > 0;
    }

    /** Whether {@code me} may take {@code lower}: nobody live holds it but {@code me}. */
    private String holderOtherThan(String me, String lower) {
        String holder = holders.get(lower);
        return holder != null && !holder.equals(me) && live(holder) ? holder : null;
    }

    private void remove(String id) {
        for (String lower : claims.getOrDefault(id, Map.of()).keySet()) {
            holders.remove(lower, id);
        }
        claims.remove(id);
        members.remove(id);
        revisions.remove(id);
        infos.remove(id);
        aliveUntil.remove(id);
        instances.remove(id);
    }

    private final class Link implements ClusterLink {
        private final String me;
        private final long ttlNanos;
        private final List<Runnable> queued = new ArrayList<>();
        private volatile boolean up = true;
        private volatile boolean losing;
        /** The position of the last log entry this link has read. */
        private long cursor = lastPosition;
        private Events events;

        Link(String me, Duration ttl) {
            this.me = me;
            this.ttlNanos = ttl.toNanos();
        }

        @Override
        public void start(Events events) {
            this.events = events;
            delivery.execute(events::up);
        }

        @Override
        public boolean up() {
            return up;
        }

        /** Queues {@code work} against the hub; at flush it runs, and its result is delivered. */
        private <T> CompletionStage<T> queue(Supplier<T> work) {
            CompletableFuture<T> result = new CompletableFuture<>();
            queued.add(() -> {
                if (!up) {
                    delivery.execute(() -> result.completeExceptionally(new IllegalStateException("link down")));
                    return;
                }
                T value;
                synchronized (MemoryHub.this) {
                    value = work.get();
                }
                if (losing) {
                    delivery.execute(() -> result.completeExceptionally(new IllegalStateException("answer lost")));
                } else {
                    delivery.execute(() -> result.complete(value));
                }
            });
            return result;
        }

        @Override
        public CompletionStage<Map<String, String>> announce(Announcement a) {
            return queue(() -> {
                aliveUntil.put(me, clock.getAsLong() + ttlNanos);
                infos.put(me, a.info());
                instances.add(me);
                for (String lower : claims.getOrDefault(me, Map.of()).keySet()) {
                    holders.remove(lower, me);
                }
                Map<String, String> refused = new HashMap<>();
                Map<String, String> mine = new HashMap<>();
                a.claims().forEach((lower, name) -> {
                    String other = holderOtherThan(me, lower);
                    if (other != null) {
                        refused.put(lower, other);
                    } else {
                        holders.put(lower, me);
                        mine.put(lower, name);
                    }
                });
                claims.put(me, mine);
                Set<String> listed = new HashSet<>(a.members());
                listed.retainAll(mine.keySet());
                members.put(me, listed);
                revisions.put(me, a.revision());
                publish(a.hello());
                return refused;
            });
        }

        @Override
        public CompletionStage<String> claim(String lower, String name, long revision, byte[] event) {
            return queue(() -> {
                String other = holderOtherThan(me, lower);
                if (other != null) {
                    return other;
                }
                holders.put(lower, me);
                claims.computeIfAbsent(me, k -> new HashMap<>()).put(lower, name);
                revisions.put(me, revision);
                publish(event);
                return null;
            });
        }

        @Override
        public CompletionStage<Void> release(String lower, long revision, byte[] event) {
            return queue(() -> {
                holders.remove(lower, me);
                claims.computeIfAbsent(me, k -> new HashMap<>()).remove(lower);
                revisions.put(me, revision);
                publish(event);
                return null;
            });
        }

        @Override
        public CompletionStage<Void> member(String lower, boolean member, long revision, byte[] event) {
            return queue(() -> {
                Set<String> set = members.computeIfAbsent(me, k -> new HashSet<>());
                if (member) {
                    set.add(lower);
                } else {
                    set.remove(lower);
                }
                revisions.put(me, revision);
                publish(event);
                return null;
            });
        }

        @Override
        public CompletionStage<Void> append(byte[] line) {
            return queue(() -> {
                log.put(++lastPosition, line.clone());
                links.values().forEach(Link::read);
                return null;
            });
        }

        /** Under the hub's lock: delivers what the log has past this link's cursor, if it is up. */
        private void read() {
            if (!up || events == null) {
                return;
            }
            for (Map.Entry<Long, byte[]> entry : log.tailMap(cursor, false).entrySet()) {
                cursor = entry.getKey();
                byte[] line = entry.getValue();
                delivery.execute(() -> events.received(line));
            }
        }

        @Override
        public void publish(byte[] message) {
            queue(() -> {
                MemoryHub.this.publish(message);
                return null;
            });
        }

        @Override
        public void send(String instance, byte[] message) {
            queue(() -> {
                Link to = links.get(instance);
                if (to != null && to.up) {
                    delivery.execute(() -> to.events.received(message));
                }
                return null;
            });
        }

        @Override
        public CompletionStage<Boolean> heartbeat(String info) {
            return queue(() -> {
                boolean existed = live(me);
                aliveUntil.put(me, clock.getAsLong() + ttlNanos);
                infos.put(me, info);
                instances.add(me);
                return existed;
            });
        }

        @Override
        public CompletionStage<List<InstanceState>> snapshot() {
            return queue(() -> {
                List<InstanceState> states = new ArrayList<>();
                for (String id : List.copyOf(instances)) {
                    if (live(id)) {
                        states.add(new InstanceState(id, revisions.getOrDefault(id, 0L), infos.getOrDefault(id, "{}"),
                                Map.copyOf(claims.getOrDefault(id, Map.of())), Set.copyOf(members.getOrDefault(id, Set.of()))));
                    } else {
                        remove(id);
                    }
                }
                return states;
            });
        }

        @Override
        public CompletionStage<Void> leave(byte[] bye) {
            return queue(() -> {
                remove(me);
                MemoryHub.this.publish(bye);
                return null;
            });
        }

        @Override
        public void flush() {
            List<Runnable> work = new ArrayList<>(queued);
            queued.clear();
            work.forEach(Runnable::run);
        }

        @Override
        public void close(Duration grace) {
            flush();
        }
    }
}
