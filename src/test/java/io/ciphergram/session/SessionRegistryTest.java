package io.ciphergram.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.PeerId;

class SessionRegistryTest {

    private final AtomicLong clock = new AtomicLong();
    private final SessionRegistry registry = new SessionRegistry(3, Duration.ofMinutes(60), 10, 20, clock::get);

    private Session established(int port, String name) {
        Session s = registry.start(PeerId.udp("127.0.0.1", port)).session();
        s.keyed(SessionKey.random(new SecureRandom()));
        registry.register(s, name);
        return s;
    }

    @Test
    void takenNamesGetTheNextFreeSuffixIgnoringCase() {
        assertThat(established(1, "alice").name()).isEqualTo("alice");
        assertThat(established(2, "ALICE").name()).isEqualTo("ALICE2");
        assertThat(established(3, "Alice").name()).isEqualTo("Alice3");
        assertThat(registry.byName("aLiCe2")).isNotNull();
    }

    @Test
    void namesAreMadeValidRatherThanRefused() {
        assertThat(SessionRegistry.sanitize("Alice Smith")).isEqualTo("Alice_Smith");
        assertThat(SessionRegistry.sanitize("zoë")).isEqualTo("zo_");
        assertThat(SessionRegistry.sanitize("x".repeat(40))).hasSize(32);
        assertThat(SessionRegistry.sanitize("")).isEqualTo("user");
        assertThat(SessionRegistry.VALID_NAME.matcher(SessionRegistry.sanitize("a b/c\u0000")).matches()).isTrue();
    }

    @Test
    void suffixedLongNamesStayWithinThirtyTwoCharacters() {
        String long32 = "n".repeat(32);
        established(1, long32);
        assertThat(established(2, long32).name()).hasSize(32).endsWith("2");
    }

    @Test
    void aFullRegistryEvictsTheLongestIdleSession() {
        Session a = established(1, "a");
        clock.addAndGet(1000);
        Session b = established(2, "b");
        clock.addAndGet(1000);
        Session c = established(3, "c");
        registry.find(a.peer()); // a is used again, so b is now the longest idle
        SessionRegistry.Started d = registry.start(PeerId.udp("127.0.0.1", 4));
        assertThat(d.ended()).containsExactly(b);
        assertThat(registry.size()).isEqualTo(3);
        assertThat(registry.byName("b")).isNull();
        assertThat(b.state()).isEqualTo(Session.State.CLOSED);
        assertThat(registry.find(c.peer())).isSameAs(c);
    }

    @Test
    void idleSessionsExpire() {
        Session a = established(1, "a");
        clock.addAndGet(Duration.ofMinutes(30).toNanos());
        Session b = established(2, "b");
        clock.addAndGet(Duration.ofMinutes(31).toNanos());
        assertThat(registry.expireIdle()).containsExactly(a);
        assertThat(registry.find(b.peer())).isSameAs(b);
        assertThat(registry.byName("a")).isNull();
    }

    @Test
    void restartingASessionKeepsItsFloodBucket() {
        PeerId peer = PeerId.udp("127.0.0.1", 9);
        Session first = registry.start(peer).session();
        for (int i = 0; i < 20; i++) {
            assertThat(first.admit(0)).isEqualTo(Session.FloodVerdict.ADMITTED);
        }
        SessionRegistry.Started again = registry.start(peer);
        assertThat(again.ended()).containsExactly(first);
        assertThat(again.session().admit(0)).isEqualTo(Session.FloodVerdict.DROPPED_NOTICE_DUE);
        assertThat(again.session().admit(0)).isEqualTo(Session.FloodVerdict.DROPPED);
    }

    @Test
    void guestsAreNumbered() {
        Session g1 = registry.start(PeerId.udp("127.0.0.1", 5)).session();
        Session g2 = registry.start(PeerId.udp("127.0.0.1", 6)).session();
        assertThat(registry.registerGuest(g1, SessionKey.random(new SecureRandom()))).isEqualTo("guest-1");
        assertThat(registry.registerGuest(g2, SessionKey.random(new SecureRandom()))).isEqualTo("guest-2");
        assertThat(g1.guest()).isTrue();
        assertThat(g1.established()).isTrue();
    }

    @Test
    void concurrentRegistrationsOfOneNameAllGetDistinctNames() throws Exception {
        SessionRegistry big = new SessionRegistry(10_000, Duration.ofHours(1), 10, 20, clock::get);
        int threads = 8;
        int perThread = 100;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<java.util.List<String>>> results = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                start.await();
                java.util.List<String> names = new java.util.ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    Session s = big.start(PeerId.udp("10.1." + thread + "." + (i / 250), 1000 + i)).session();
                    s.keyed(SessionKey.random(new SecureRandom()));
                    names.add(big.register(s, i % 2 == 0 ? "bob" : "BOB"));
                }
                return names;
            }));
        }
        start.countDown();
        java.util.Set<String> all = new java.util.HashSet<>();
        for (var result : results) {
            for (String name : result.get(30, java.util.concurrent.TimeUnit.SECONDS)) {
                assertThat(all.add(name.toLowerCase(java.util.Locale.ROOT))).as("unique: %s", name).isTrue();
            }
        }
        pool.shutdown();
        assertThat(all).hasSize(threads * perThread).contains("bob", "bob2", "bob800");
        assertThat(big.established()).hasSize(threads * perThread);
        assertThat(big.size()).isEqualTo(threads * perThread);
    }
}
