/**
 * Several instances as one chat: rooms across them, presence across them, names unique across them.
 *
 * <h2>What is here</h2>
 * <ul>
 * <li>{@link io.ciphergram.cluster.Cluster}: what the rooms ({@code io.ciphergram.relay.Rooms}) tell the
 * other instances and asks of them; {@link io.ciphergram.cluster.Cluster#SOLO}, one instance alone, is the
 * default and costs nothing.</li>
 * <li>{@link io.ciphergram.cluster.ClusterNode}: one instance's membership, over any
 * {@link io.ciphergram.cluster.ClusterLink}; it keeps the view of the others
 * ({@link io.ciphergram.cluster.RemoteView}) and recovers after a lost link.</li>
 * <li>{@link io.ciphergram.cluster.ClusterLink}: the shared store and bus; in Redis
 * ({@code io.ciphergram.cluster.redis}, an edge: it alone sees Vert.x) or in memory
 * (the tests' {@code MemoryHub}, for instances in one JVM).</li>
 * <li>{@link io.ciphergram.cluster.ClusterCodec}: what crosses the bus, as bytes, decoded defensively.</li>
 * </ul>
 * Pure Java: this package knows names and texts, never a session, a key or a frame.
 *
 * <h2>What crosses, and who sees it</h2>
 * A room message is decrypted once, on its sender's instance, appended once as {@code line} (sender's
 * name and text, in plaintext) to the log every instance reads from where it left off (a Redis stream), and
 * each instance re-encrypts it for its own members only; the sender holds it until it is stored, and the
 * readers drop a copy ({@link io.ciphergram.cluster.SeenLines}). A {@code /msg}
 * goes to the one instance whose member is its target. Name claims and room membership are kept in the
 * store per instance, with a liveness entry that expires unless refreshed every heartbeat.
 *
 * <h2>Threads</h2>
 * <ul>
 * <li><b>The relay thread</b> owns the node, its view and the bridge to the room, as it owns all engine
 * state: the room calls the node, the engine calls {@code tick} every heartbeat (a relay-thread timer)
 * and {@code flush} at the end of every relay turn.</li>
 * <li><b>The link's thread</b> (for Redis, one Vert.x event loop) owns the connections: it sends what a
 * flush handed it, receives from the bus and completes results. The node decodes what arrives there (so
 * bad input costs the I/O thread, never the relay) and posts every message and result to the relay thread
 * with {@code Executor.execute}; nothing the link's thread does touches engine state.</li>
 * <li><b>Any thread</b> may read {@link io.ciphergram.cluster.ClusterNode#status()} (an immutable snapshot
 * the relay thread publishes), the counters and whether the link is up: the health check, the metrics and
 * the admin API do.</li>
 * </ul>
 */
package io.ciphergram.cluster;
