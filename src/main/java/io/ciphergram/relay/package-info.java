/**
 * The relay: who receives what, and the engine's threading model.
 *
 * <h2>Threads and what each owns</h2>
 *
 * <p><b>The relay thread</b> ({@code ciphergram-relay}, a {@link io.ciphergram.relay.RelayLoop}) owns all
 * engine state: the {@link io.ciphergram.session.SessionRegistry} and every session and half-open
 * handshake in it, the {@link io.ciphergram.relay.Rooms} (members per room, line ids, sessions whose
 * history is being read), {@link io.ciphergram.relay.Names} (sessions whose name is being looked up), flood gates, the v2 handshake's rate limiter and
 * cookie secrets, every v2 {@code SecureChannel} and the timers that drive them. Only the relay thread
 * reads or writes any of it, so none of it takes a lock; the registry checks its owner on every call
 * ({@link io.ciphergram.session.Confinement}) and fails fast otherwise.
 *
 * <p><b>Transport threads</b> turn what arrives into {@code (PeerId, bytes)} and post it to the relay thread
 * ({@link io.ciphergram.relay.ChatRelay#submit}); at most {@code ChatRelay.MAX_WAITING} datagrams wait at
 * once, and a transport holds back (UDP: its receive thread parks in {@code ChatRelay.awaitRoom} until the
 * relay thread has worked the backlog down to half) or sheds the excess, counted, before any decoding or
 * crypto. UDP
 * has one receive thread per socket ({@code ciphergram-udp-N}, sockets sharing the port with
 * {@code SO_REUSEPORT}), and the relay thread itself writes UDP datagrams (non-blocking {@code sendto}) as
 * it produces them. The WebSocket gateway's I/O threads are Vert.x event loops: its
 * {@link io.ciphergram.relay.Egress} hands each frame to its connection, whose event loop writes it.
 *
 * <p><b>Handshake workers</b> run expensive one-off crypto (RSA key transport, Ed25519 signing) on
 * immutable inputs ({@link io.ciphergram.relay.Offload}); the outcome is posted back to the relay thread,
 * which re-checks that the handshake is still wanted before using it.
 *
 * <p><b>The cluster link's thread</b> (in a cluster: one Vert.x event loop holding the Redis connections)
 * decodes what other instances send and posts it, and every answer from Redis, to the relay thread; the
 * relay thread hands the link what to send at the end of every turn, as it does its egresses
 * ({@code io.ciphergram.cluster} package documentation). Texts from other instances reach the members here
 * through {@link io.ciphergram.relay.ClusterBridge}, on the relay thread.
 *
 * <p><b>The store</b> ({@link io.ciphergram.store.Store}) does its I/O on a thread of its own (embedded) or on
 * the Redis client's event loop, and completes every answer on the relay thread: a session's name, its
 * room's history and its mailbox arrive as tasks there, and each re-checks that the session is still open
 * before it uses the answer. What such a session is sent or sends meanwhile waits, in order and bounded.
 *
 * <p><b>Every other thread</b> (HTTP requests, metrics scrapes, health checks, shutdown) never touches
 * engine state: it reads {@link io.ciphergram.relay.Counters}, the registry's published counts
 * ({@link io.ciphergram.session.SessionRegistry#liveCount()}, {@code count}, {@code pendingHandshakes}) and
 * {@link io.ciphergram.relay.RelayLoop#sinceLastTurnNanos()}, which are safe from any thread, or posts a
 * task to the relay thread and waits for its answer ({@link io.ciphergram.relay.Admin} does so for the
 * admin API).
 *
 * <p>Unit tests drive a {@link io.ciphergram.relay.ChatRelay} directly: the test's thread is then the
 * relay thread, timers run when the test says so, and offloaded work runs inline.
 *
 * <h2>A datagram's path</h2>
 *
 * transport receives → {@link io.ciphergram.relay.ChatRelay} picks the profile →
 * {@link io.ciphergram.relay.ClassicIngress} or {@link io.ciphergram.relay.V2Ingress}: flood gate, codec,
 * session state → {@link io.ciphergram.relay.Commands} (texts and commands) or
 * {@link io.ciphergram.relay.Privately} (app frames: envelopes, bundles, prekeys) → the
 * {@link io.ciphergram.relay.Rooms} route a line to its room → each recipient's own
 * {@link io.ciphergram.session.Outbox} renders the {@link io.ciphergram.session.Delivery} in its profile
 * ({@link io.ciphergram.relay.ClassicOutbox}, {@link io.ciphergram.relay.V2Outbox}) → the egress of its
 * transport sends.
 */
package io.ciphergram.relay;
