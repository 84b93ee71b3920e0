package io.ciphergram.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.testing.Peers;

class SessionRegistryTest {

    private static final Outbox NOWHERE = new Outbox() {
        @Override
        public boolean send(byte[] utf8) {
            return true;
        }

        @Override
        public void close() {
        }
    };

    private final AtomicLong clock = new AtomicLong();
    private final SessionRegistry registry = new SessionRegistry(3, Duration.ofMinutes(60), 10, 20, clock::get,
            Confinement.firstUse());

    private ClassicSession session(int port) {
        PeerId peer = Peers.udp("127.0.0.1", port);
        ClassicSession s = new ClassicSession(peer, SessionKey.random(new SecureRandom()), false,
                registry.classicGate(peer), clock.get());
        s.reachThrough(NOWHERE);
        return s;
    }

    private ClassicSession established(int port, String name) {
        ClassicSession s = session(port);
        registry.vacate(s.peer());
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
        assertThat(SessionRegistry.sanitize("a b/c\u0000")).matches("[A-Za-z0-9_.-]{1,32}");
    }

    @Test
    void suffixedLongNamesStayWithinThirtyTwoCharacters() {
        String long32 = "n".repeat(32);
        established(1, long32);
        assertThat(established(2, long32).name()).hasSize(32).endsWith("2");
    }

    @Test
    void aFullRegistryEvictsTheLongestIdleEntry() {
        ClassicSession a = established(1, "a");
        clock.addAndGet(1000);
        ClassicSession b = established(2, "b");
        clock.addAndGet(1000);
        ClassicSession c = established(3, "c");
        registry.session(a.peer()); // a is used again, so b is now the longest idle
        assertThat(registry.vacate(Peers.udp("127.0.0.1", 4))).containsExactly(b);
        assertThat(registry.byName("b")).isNull();
        assertThat(b.open()).isFalse();
        assertThat(registry.session(c.peer())).isSameAs(c);
        assertThat(registry.session(a.peer())).isSameAs(a);
    }

    @Test
    void idleSessionsAndHandshakesExpire() {
        ClassicSession a = established(1, "a");
        ClassicHandshake pending = registry.startHandshake(Peers.udp("127.0.0.1", 7), registry.classicGate(Peers.udp("127.0.0.1", 7)));
        clock.addAndGet(Duration.ofMinutes(30).toNanos());
        ClassicSession b = established(2, "b");
        clock.addAndGet(Duration.ofMinutes(31).toNanos());
        assertThat(registry.expireIdle()).containsExactly(a);
        assertThat(registry.session(b.peer())).isSameAs(b);
        assertThat(registry.byName("a")).isNull();
        assertThat(registry.handshake(pending.peer())).isNull();
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void aRestartFromTheSameAddressKeepsItsFloodGate() {
        PeerId peer = Peers.udp("127.0.0.1", 9);
        ClassicHandshake first = registry.startHandshake(peer, registry.classicGate(peer));
        for (int i = 0; i < 20; i++) {
            assertThat(first.flood().admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        }
        FloodGate carried = registry.classicGate(peer);
        registry.vacate(peer);
        ClassicHandshake again = registry.startHandshake(peer, carried);
        assertThat(again.flood().admit(0)).isEqualTo(FloodGate.Verdict.DROPPED_NOTICE_DUE);
        assertThat(again.flood().admit(0)).isEqualTo(FloodGate.Verdict.DROPPED);
    }

    @Test
    void guestsAreNumbered() {
        ClassicSession g1 = session(5);
        ClassicSession g2 = session(6);
        assertThat(registry.registerGuest(g1)).isEqualTo("guest-1");
        assertThat(registry.registerGuest(g2)).isEqualTo("guest-2");
        assertThat(registry.members()).containsExactlyInAnyOrder(g1, g2);
    }

    @Test
    void membersFollowRegistrationsAndRemovals() {
        ClassicSession a = established(1, "a");
        ClassicSession b = established(2, "b");
        assertThat(registry.members()).containsExactlyInAnyOrder(a, b);
        assertThat(registry.remove(a)).isTrue();
        assertThat(registry.remove(a)).as("only once").isFalse();
        assertThat(registry.members()).containsExactly(b);
        assertThat(registry.liveCount()).isEqualTo(1);
    }

    @Test
    void anotherThreadCannotTouchTheRegistry() throws Exception {
        established(1, "owner");
        CompletableFuture<Object> elsewhere = CompletableFuture.supplyAsync(() -> registry.byName("owner"));
        assertThatThrownBy(elsewhere::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("belongs to");
        assertThat(CompletableFuture.supplyAsync(registry::liveCount).get()).as("published for metrics").isEqualTo(1);
    }
}
