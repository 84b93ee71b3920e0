package io.ciphergram.relay;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.session.Confinement;
import io.ciphergram.session.SessionLimits;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.testing.ManualScheduler;

/**
 * The engine without Quarkus, sockets or threads: the test's thread is the relay thread, time is a
 * counter the test moves, timers run when the test says, and what the relay sends is recorded.
 */
final class RelayFixture {

    record Sent(PeerId to, byte[] datagram) {
    }

    final AtomicLong clock;
    final Counters counters = new Counters();
    final ManualScheduler timers = new ManualScheduler();
    final SessionRegistry sessions;
    final ChatRelay relay;
    final List<Sent> sent = new ArrayList<>();
    /** The handshake workers: inline unless a test defers them. */
    final DeferredOffload offload = new DeferredOffload();
    /** The wall clock the relay stamps lines with (2026-01-01T00:00Z at first). */
    final AtomicLong millis = new AtomicLong(1_767_225_600_000L);
    final io.ciphergram.store.MemoryStore store;

    RelayFixture(int maxSessions, double floodPerSecond, double floodBurst, ServerHandshake handshake, long startNanos) {
        this(RelaySettings.defaults().with(SessionLimits.defaults().withMaxSessions(maxSessions)
                .withFlood(floodPerSecond, floodBurst)), handshake, startNanos);
    }

    RelayFixture(RelaySettings settings, ServerHandshake handshake, long startNanos) {
        this.clock = new AtomicLong(startNanos);
        this.sessions = new SessionRegistry(settings.sessions(), clock::get, Confinement.firstUse());
        this.store = io.ciphergram.store.MemoryStore.open(settings.storage(), Runnable::run, millis::get);
        this.relay = new ChatRelay(sessions, counters, settings, handshake, Runnable::run, timers, offload,
                RelayEvents.PLAIN, store, millis::get);
        relay.start();
        relay.attach(PeerId.UDP, (to, datagram) -> sent.add(new Sent(to, datagram)));
    }

    /** A relay that speaks both profiles, with a fresh identity in {@code dir}. */
    static RelayFixture withV2(Path dir, int maxSessions) throws IOException {
        return withV2(dir, RelaySettings.defaults().with(SessionLimits.defaults().withMaxSessions(maxSessions)));
    }

    static RelayFixture withV2(Path dir, RelaySettings settings) throws IOException {
        long start = 1_000_000_000L;
        ServerIdentity identity = ServerIdentity.loadOrCreate(dir.resolve("id.pem"));
        ServerHandshake handshake = new ServerHandshake(identity, settings.v2Limits(), new SecureRandom(),
                start);
        return new RelayFixture(settings, handshake, start);
    }

    /** Moves time on and runs the timers that fall due. */
    void advance(Duration by) {
        clock.addAndGet(by.toNanos());
        timers.runDue(clock.get());
    }

    List<byte[]> sentTo(PeerId peer) {
        return sent.stream().filter(s -> s.to().equals(peer)).map(Sent::datagram).toList();
    }
}
