/**
 * Durable state behind one port ({@link io.ciphergram.store.Store}): name bindings (a name belongs to the
 * identity that first registered it), mailboxes of sealed private messages for offline users, and room
 * history. Embedded by default for a single instance; in Redis in cluster mode, shared by every instance.
 * The relay never stores a private text in clear: a mailbox holds end-to-end envelopes exactly as their
 * senders sealed them; room history is stored in clear (docs/OPERATIONS.md says for how long and how an
 * operator turns it off or purges it).
 *
 * <h2>Implementations</h2>
 * {@link io.ciphergram.store.MemoryStore} (tests; nothing survives the process);
 * {@link io.ciphergram.store.EmbeddedStore}, the default, a journal in {@code ciphergram.data.dir}
 * (owner-only; mailbox entries are the sealed envelope bytes with the sender's name and time, history lines
 * and bindings' public keys are in clear); both are a {@code StateStore}, the port over one
 * {@code StoreState} (the decisions, written once), and differ only in where a call runs and whether its
 * changes are journaled. {@code io.ciphergram.cluster.redis.RedisStore} in cluster mode.
 * The contract suite {@code StoreContract} (tests) holds each to the same answers.
 *
 * <h2>Threads</h2>
 * Every operation returns at once with a {@link java.util.concurrent.CompletionStage}; its result is
 * completed on the executor the store was opened with (in the service, the relay thread), so the relay
 * never blocks on the disk or the network and never touches a result off its own thread. An
 * implementation does its I/O on a thread of its own (embedded) or on the Redis client's event loop.
 *
 * <h2>Durability</h2>
 * A stage completes once what it changed is durable (for the embedded store: written and forced to disk;
 * for Redis: acknowledged by the server): a {@code kill -9} loses at most what had not completed yet.
 *
 * Pure Java: imports nothing of Quarkus or Vert.x (the Redis implementation lives in
 * {@code io.ciphergram.cluster.redis}, an edge).
 */
package io.ciphergram.store;
