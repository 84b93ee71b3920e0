package io.ciphergram.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The shared store and bus the instances of a cluster meet in: Redis in the service
 * ({@code io.ciphergram.cluster.redis}), an in-memory hub in one JVM (the tests' {@code MemoryHub}). One link per instance. It keeps
 * per instance a liveness entry that expires unless refreshed, the names its sessions claim (each name
 * held by at most one live instance), the names of its room members, and a revision; and it carries
 * messages to every instance or to one.
 *
 * <p>Calls come from the relay thread and never block: each queues its work and returns; the link sends
 * what was queued when {@link #flush} is called (at the end of every relay turn), in the order of the
 * calls. Results complete, and {@link Events} are told, on the link's own thread; the caller moves them
 * to the relay thread. A call made while the link is down completes exceptionally: nothing is retried, the
 * instance re-announces its whole state when the link is up again.
 */
public interface ClusterLink {

    /** What the link tells its instance, on the link's own thread. */
    interface Events {

        /** Connected (at start, or again after an outage): the instance should announce its state. */
        void up();

        /** The connection is lost; the link keeps trying to reconnect. */
        void down();

        /** Bytes from the bus for this instance (sent to all, or to it alone), not yet decoded. */
        void received(byte[] message);
    }

    /** One live instance's state, as the store holds it. */
    record InstanceState(String id, long revision, String info, Map<String, String> claims, Set<String> members) {
    }

    /**
     * An instance's whole state, to (re)announce it: its liveness entry, every name it claims (lower
     * case to name as shown) and which of those are room members.
     */
    record Announcement(String info, long revision, Map<String, String> claims, Set<String> members, byte[] hello) {
    }

    /** Starts connecting, and reconnecting after every loss, until {@link #close}. */
    void start(Events events);

    /** Whether the link is connected now (any thread). */
    boolean up();

    /**
     * Replaces this instance's state in the store with {@code announcement} (taking over names whose
     * holder is no longer live), and sends its hello to all.
     *
     * @return the names refused because another live instance holds them: lower case name to that instance
     */
    CompletionStage<Map<String, String>> announce(Announcement announcement);

    /**
     * Claims {@code lower} for this instance if no other live instance holds it; if so, records the
     * revision and sends {@code event} to all, in one step.
     *
     * @return null if the name is this instance's now, else the id of the live instance that holds it
     */
    CompletionStage<String> claim(String lower, String name, long revision, byte[] event);

    /** Gives up {@code lower} (if this instance holds it), records the revision and sends {@code event}. */
    CompletionStage<Void> release(String lower, long revision, byte[] event);

    /** Records {@code lower} as a room member of this instance, or no longer one, and sends {@code event}. */
    CompletionStage<Void> member(String lower, boolean member, long revision, byte[] event);

    /**
     * Appends a room line ({@code cg1 line}) to the log that every instance reads (in Redis, a stream). Every
     * instance's link reads the log in its order, from where it left off after any outage, and hands each
     * entry to {@link Events#received}; the log keeps a bounded number of the newest entries.
     *
     * @return completes once the line is stored; exceptionally if that is not known (the link went down
     *         meanwhile: it may or may not be stored, so its sender appends it again and the readers drop
     *         the copy)
     */
    CompletionStage<Void> append(byte[] line);

    /** Sends {@code message} to every instance (this one included: receivers skip their own). */
    void publish(byte[] message);

    /** Sends {@code message} to {@code instance} only. */
    void send(String instance, byte[] message);

    /**
     * Keeps this instance's liveness entry for another {@link ClusterSettings#ttl}, with {@code info}.
     *
     * @return whether the entry was still there; false means the others took this instance for dead and
     *         removed its names, so it must announce its state again
     */
    CompletionStage<Boolean> heartbeat(String info);

    /**
     * Every live instance's state. Instances whose liveness entry expired are removed from the store on
     * the way, with their claims, so that their names are free again.
     */
    CompletionStage<List<InstanceState>> snapshot();

    /** Removes this instance from the store, freeing its names, and sends {@code bye} to all. */
    CompletionStage<Void> leave(byte[] bye);

    /** Sends what the calls since the last flush queued. Relay thread, at the end of every turn. */
    void flush();

    /** Stops, waiting at most {@code grace} for what was flushed to be sent. */
    void close(Duration grace);
}
