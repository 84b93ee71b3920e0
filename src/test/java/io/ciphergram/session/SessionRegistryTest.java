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
import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.UserName;
import io.ciphergram.testing.Peers;

class SessionRegistryTest {

    private static final long SECOND = 1_000_000_000L;
    private static final Outbox NOWHERE = new Outbox() {
        @Override
        public boolean deliver(io.ciphergram.session.Delivery delivery) {
            return true;
        }

        @Override
        public void close() {
        }
    };

    private final AtomicLong clock = new AtomicLong();
    private SessionRegistry registry = registry(SessionLimits.defaults().withMaxSessions(4));

    private SessionRegistry registry(SessionLimits limits) {
        return new SessionRegistry(limits, clock::get, Confinement.firstUse());
    }

    private ClassicSession session(String ip, int port) {
        PeerId peer = Peers.udp(ip, port);
        return new ClassicSession(peer, SessionKey.random(new SecureRandom()), false, registry.classicGate(peer),
                new SentBlocks(16), clock.get(), s -> NOWHERE);
    }

    /** A classic session that sent a message that decrypted. */
    private ClassicSession proven(String ip, int port, String name) {
        ClassicSession s = unproven(ip, port, name);
        registry.prove(s);
        return s;
    }

    private ClassicSession unproven(String ip, int port, String name) {
        ClassicSession s = session(ip, port);
        SessionRegistry.Place place = registry.admit(s.peer(), true);
        assertThat(place).isNotNull();
        registry.register(place, s, name);
        return s;
    }

    private ClassicSession guest(String ip, int port) {
        ClassicSession s = session(ip, port);
        registry.registerGuest(registry.admit(s.peer(), true), s);
        return s;
    }

    /** A v2 session just established: its client has not yet sent an authenticated record. */
    private V2Session v2(String ip, int port, String requested) {
        PeerId peer = Peers.udp(ip, port);
        SecureRandom random = new SecureRandom();
        SecureChannel channel = new SecureChannel(SecureChannel.Role.SERVER, random.nextLong(), SessionSecret.random(random),
                new byte[32], TokenBucket.NO_LIMIT, SECOND, 1 << 24, Long.MAX_VALUE, clock.get());
        TokenBucket any = new TokenBucket(100, 100, 0);
        V2Session s = new V2Session(peer, channel, registry.v2Memory().holder(peer.source()), new byte[32], new byte[1],
                requested, new FloodGate(any),
                new FloodGate(any), 180 * SECOND, clock.get(), x -> NOWHERE);
        SessionRegistry.Place place = registry.admit(peer, true);
        assertThat(place).isNotNull();
        registry.registerUnnamed(place, s);
        return s;
    }

    @Test
    void takenNamesGetTheNextFreeSuffixIgnoringCase() {
        registry = registry(SessionLimits.defaults());
        assertThat(proven("10.0.0.1", 1, "alice").name()).isEqualTo("alice");
        assertThat(proven("10.0.0.1", 2, "ALICE").name()).isEqualTo("ALICE2");
        assertThat(unproven("10.0.0.1", 3, "Alice").name()).as("unproven sessions hold names too").isEqualTo("Alice3");
        assertThat(registry.byName("aLiCe2")).isNotNull();
    }

    @Test
    void namesAreMadeValidRatherThanRefused() {
        assertThat(UserName.sanitize("Alice Smith")).isEqualTo("Alice_Smith");
        assertThat(UserName.sanitize("zoë")).isEqualTo("zo_");
        assertThat(UserName.sanitize("x".repeat(40))).hasSize(32);
        assertThat(UserName.sanitize("")).isEqualTo("user");
        assertThat(UserName.sanitize("a b/c\u0000")).matches("[A-Za-z0-9_.-]{1,32}");
    }

    @Test
    void suffixedLongNamesStayWithinThirtyTwoCharacters() {
        String long32 = "n".repeat(32);
        proven("10.0.0.1", 1, long32);
        assertThat(proven("10.0.0.1", 2, long32).name()).hasSize(32).endsWith("2");
    }

    @Test
    void theRoomIsTheProvenSessions() {
        ClassicSession a = proven("10.0.0.1", 1, "a");
        ClassicSession b = unproven("10.0.0.1", 2, "b");
        assertThat(registry.members()).containsExactly(a);
        registry.prove(b);
        assertThat(registry.members()).containsExactlyInAnyOrder(a, b);
        assertThat(registry.remove(a)).isTrue();
        assertThat(registry.remove(a)).as("only once").isFalse();
        assertThat(registry.members()).containsExactly(b);
        assertThat(registry.liveCount()).isEqualTo(1);
    }

    @Test
    void aFullRegistryEvictsHalfOpenThenUnprovenButNeverProvenSessions() {
        ClassicSession a = proven("10.0.0.1", 1, "a");
        ClassicSession b = proven("10.0.0.2", 1, "b");
        ClassicSession c = unproven("10.0.0.3", 1, "c");
        ClassicHandshake h = registry.startHandshake(Peers.udp("10.0.0.4", 1), registry.classicGate(Peers.udp("10.0.0.4", 1)));
        assertThat(registry.size()).isEqualTo(4);

        assertThat(registry.startHandshake(Peers.udp("10.0.0.5", 1), registry.classicGate(Peers.udp("10.0.0.5", 1))))
                .isNotNull();
        assertThat(registry.handshake(h.peer())).as("the half-open one went first").isNull();
        proven("10.0.0.6", 1, "d");
        assertThat(registry.handshake(Peers.udp("10.0.0.5", 1))).isNull();
        assertThat(c.open()).as("still there").isTrue();
        proven("10.0.0.7", 1, "e");
        assertThat(c.open()).as("then the unproven one").isFalse();

        assertThat(registry.admit(Peers.udp("10.0.0.8", 1), false)).as("full of proven sessions: refused").isNull();
        assertThat(registry.startHandshake(Peers.udp("10.0.0.8", 1), registry.classicGate(Peers.udp("10.0.0.8", 1))))
                .isNull();
        assertThat(a.open()).isTrue();
        assertThat(b.open()).isTrue();
    }

    @Test
    void aSourceAtItsLimitOfHalfOpenHandshakesLosesItsOldestToANewOne() {
        registry = registry(SessionLimits.defaults().withPerSource(3, 3, 10));
        ClassicHandshake first = null;
        for (int port = 1; port <= 3; port++) {
            ClassicHandshake h = registry.startHandshake(Peers.udp("10.0.0.1", port), registry.classicGate(Peers.udp("10.0.0.1", port)));
            first = first == null ? h : first;
        }
        ClassicHandshake fourth = registry.startHandshake(Peers.udp("10.0.0.1", 4), registry.classicGate(Peers.udp("10.0.0.1", 4)));
        assertThat(fourth).isNotNull();
        assertThat(registry.handshake(first.peer())).isNull();
        assertThat(registry.startHandshake(Peers.udp("10.0.0.2", 1), registry.classicGate(Peers.udp("10.0.0.2", 1))))
                .as("another source is not affected").isNotNull();
        assertThat(registry.size()).isEqualTo(4);
    }

    @Test
    void aSourceAtItsLimitOfSessionsIsRefusedAndItsUnprovenAreDisplacedOldestFirst() {
        registry = registry(SessionLimits.defaults().withPerSource(4, 2, 3));
        proven("10.0.0.1", 4, "p1");
        ClassicSession u1 = unproven("10.0.0.1", 1, "u1");
        unproven("10.0.0.1", 2, "u2");
        unproven("10.0.0.1", 3, "u3");
        assertThat(u1.open()).as("at most two unproven per source").isFalse();
        assertThat(registry.admit(Peers.udp("10.0.0.1", 5), false)).as("three sessions per source").isNull();
        assertThat(registry.admit(Peers.udp("10.0.0.2", 5), false)).isNotNull();
    }

    @Test
    void aSynBesideAProvenSessionLeavesItAloneButReplacesAnUnprovenOne() {
        ClassicSession a = proven("10.0.0.1", 1, "a");
        ClassicSession b = unproven("10.0.0.1", 2, "b");
        assertThat(registry.startHandshake(a.peer(), a.flood())).isNotNull();
        assertThat(registry.session(a.peer())).isSameAs(a);
        assertThat(registry.startHandshake(b.peer(), b.flood())).isNotNull();
        assertThat(registry.session(b.peer())).isNull();
        assertThat(b.open()).isFalse();
    }

    @Test
    void idleSessionsUnprovenSessionsAndHandshakesExpireEachOnItsOwnClock() {
        registry = registry(SessionLimits.defaults());
        ClassicSession quiet = proven("10.0.0.1", 1, "quiet");
        ClassicSession talker = proven("10.0.0.1", 2, "talker");
        ClassicSession silent = unproven("10.0.0.1", 3, "silent");
        ClassicHandshake stalled = registry.startHandshake(Peers.udp("10.0.0.1", 4), registry.classicGate(Peers.udp("10.0.0.1", 4)));

        clock.addAndGet(31 * SECOND);
        assertThat(registry.expireIdle()).isEmpty();
        assertThat(registry.handshake(stalled.peer())).as("30 s for a handshake").isNull();

        clock.addAndGet(10 * 60 * SECOND);
        talker.heard(clock.get());
        assertThat(registry.expireIdle()).isEmpty();
        assertThat(silent.open()).as("10 minutes to prove an address, and never announced").isFalse();

        clock.addAndGet(50 * 60 * SECOND);
        assertThat(registry.expireIdle()).containsExactly(quiet);
        assertThat(talker.open()).isTrue();
        assertThat(registry.byName("quiet")).isNull();
    }

    @Test
    void aRestartFromTheSameAddressKeepsItsFloodGate() {
        PeerId peer = Peers.udp("127.0.0.1", 9);
        ClassicHandshake first = registry.startHandshake(peer, registry.classicGate(peer));
        for (int i = 0; i < 20; i++) {
            assertThat(first.flood().admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        }
        ClassicHandshake again = registry.startHandshake(peer, registry.classicGate(peer));
        assertThat(again.flood().admit(0)).isEqualTo(FloodGate.Verdict.DROPPED_NOTICE_DUE);
        assertThat(again.flood().admit(0)).isEqualTo(FloodGate.Verdict.DROPPED);
    }

    /** Names held elsewhere (the other instances of a cluster), and what the registry told them. */
    private static final class ElsewhereClaims implements NameClaims {
        final java.util.Set<String> elsewhere = new java.util.HashSet<>();
        final java.util.List<String> told = new java.util.ArrayList<>();

        @Override
        public boolean takenElsewhere(String name) {
            return elsewhere.contains(name.toLowerCase(java.util.Locale.ROOT));
        }

        @Override
        public void claimed(String name) {
            told.add("+" + name);
        }

        @Override
        public void released(String name) {
            told.add("-" + name);
        }
    }

    @Test
    void aNameHeldElsewhereIsNotGivenOutAndEveryClaimAndReleaseIsTold() {
        registry = registry(SessionLimits.defaults());
        ElsewhereClaims claims = new ElsewhereClaims();
        claims.elsewhere.addAll(java.util.List.of("alice", "guest-1"));
        registry.claimNamesWith(claims);
        ClassicSession alice = proven("10.0.0.1", 1, "Alice");
        assertThat(alice.name()).isEqualTo("Alice2");
        assertThat(guest("10.0.0.1", 2).name()).isEqualTo("guest-2");
        registry.remove(alice);
        assertThat(claims.told).containsExactly("+Alice2", "+guest-2", "-Alice2");
    }

    @Test
    void aSessionWhoseNameIsHeldElsewhereIsRenamedByTheSuffixRule() {
        registry = registry(SessionLimits.defaults());
        ElsewhereClaims claims = new ElsewhereClaims();
        registry.claimNamesWith(claims);
        ClassicSession bob = proven("10.0.0.1", 1, "bob");
        claims.elsewhere.add("bob");
        assertThat(registry.rename(bob)).isEqualTo("bob2");
        assertThat(registry.byName("BOB2")).isSameAs(bob);
        assertThat(registry.byName("bob")).isNull();
        assertThat(registry.members()).containsExactly(bob);
        assertThat(claims.told).containsExactly("+bob", "-bob", "+bob2");
        registry.remove(bob);
        assertThat(registry.rename(bob)).as("an ended session keeps its name").isNull();
    }

    @Test
    void guestsAreNumbered() {
        assertThat(guest("10.0.0.1", 5).name()).isEqualTo("guest-1");
        assertThat(guest("10.0.0.1", 6).name()).isEqualTo("guest-2");
    }

    @Test
    void handshakeTokensArePerSourceAndAnIpv6SourceIsItsSlash64() {
        for (int i = 0; i < 50; i++) {
            assertThat(registry.allowHandshake(Peers.udp("2001:db8:1:2:0:0:0:" + (i + 1), 5000))).isTrue();
        }
        assertThat(registry.allowHandshake(Peers.udp("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 6000))).as("same /64").isFalse();
        assertThat(registry.allowHandshake(Peers.udp("2001:db8:1:3:0:0:0:1", 5000))).as("another /64").isTrue();
        clock.addAndGet(SECOND);
        assertThat(registry.allowHandshake(Peers.udp("2001:db8:1:2:0:0:0:1", 5000))).as("20 a second come back").isTrue();
    }

    @Test
    void unprovenAddressesAreSentNoMoreThanTheirSourceSent() {
        PeerId victim = Peers.udp("192.0.2.9", 1);
        long sent = 0;
        while (registry.spend(victim, 100)) {
            sent += 100 + 28;
        }
        assertThat(sent).as("the allowance before anything arrives").isLessThanOrEqualTo(256);
        registry.received(victim, 600);
        long more = 0;
        while (registry.spend(Peers.udp("192.0.2.9", 2), 100)) {
            more += 100 + 28;
        }
        assertThat(more).as("any port of that source draws on it").isLessThanOrEqualTo(600 + 28 + 256 - sent);
    }

    @Test
    void sourcesWithoutLiveEntriesAreForgottenBeyondTheBound() {
        for (int i = 0; i < SourceGuard.MAX_IDLE_SOURCES + 100; i++) {
            registry.allowHandshake(Peers.udp("10." + (i >> 16) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF), 1));
        }
        assertThat(registry.sourcesRemembered()).isEqualTo(SourceGuard.MAX_IDLE_SOURCES);
    }

    // ---- unproven v2 sessions (issue 15, B3) ------------------------------------------------------------

    @Test
    void anUnprovenV2SessionHoldsNoNameUntilItProvesItself() {
        registry = registry(SessionLimits.defaults());
        V2Session zoe = v2("10.0.0.1", 1, "zoe");
        assertThat(zoe.name()).isNull();
        assertThat(registry.byName("zoe")).isNull();
        assertThat(proven("10.0.0.1", 2, "zoe").name()).as("the name is free for someone who proves").isEqualTo("zoe");
        assertThat(registry.name(zoe, "zoe")).isEqualTo("zoe2");
        registry.prove(zoe);
        assertThat(registry.members()).contains(zoe);
    }

    @Test
    void anUnprovenV2SessionLivesSecondsAndIsNeverAnnounced() {
        registry = registry(SessionLimits.defaults());
        V2Session squatter = v2("10.0.0.1", 1, "zoe");
        V2Session genuine = v2("10.0.0.1", 2, "amy");
        registry.name(genuine, "amy");
        registry.prove(genuine);
        clock.addAndGet(9 * SECOND);
        assertThat(registry.expireIdle()).isEmpty();
        assertThat(squatter.open()).isTrue();
        clock.addAndGet(SECOND);
        assertThat(registry.expireIdle()).as("it was never in the room").isEmpty();
        assertThat(squatter.open()).isFalse();
        assertThat(genuine.open()).isTrue();
    }

    @Test
    void unprovenV2SessionsAreEvictedForNewcomersAndDisplacedWithinTheirSource() {
        registry = registry(SessionLimits.defaults().withMaxSessions(3).withPerSource(4, 2, 10));
        V2Session u1 = v2("10.0.0.1", 1, "u1");
        v2("10.0.0.1", 2, "u2");
        v2("10.0.0.1", 3, "u3");
        assertThat(u1.open()).as("at most two unproven per source: the oldest made room").isFalse();
        assertThat(registry.count("v2", "udp")).as("the gauges' count: the displaced session is not counted").isEqualTo(2);
        proven("10.0.0.2", 1, "amy");
        assertThat(registry.size()).isEqualTo(3);
        proven("10.0.0.3", 1, "bea");
        assertThat(registry.members()).hasSize(2);
        assertThat(registry.size()).as("a full registry evicted an unproven v2 session for a newcomer").isEqualTo(3);
        assertThat(registry.count("v2", "udp") + registry.count("classic", "udp")).isEqualTo(3);
    }

    @Test
    void aBlockOfAddressesTogetherHoldsAtMostItsShareOfSessions() {
        registry = registry(SessionLimits.defaults().withPerSource(32, 32, 4).withPerBlock(6));
        for (int host = 1; host <= 3; host++) {
            for (int port = 1; port <= 2; port++) {
                proven("198.51.100." + host, port, "u" + host + port);
            }
        }
        assertThat(registry.admit(Peers.udp("198.51.100.9", 1), false)).as("the /24 is full").isNull();
        assertThat(registry.couldAdmit(Peers.udp("198.51.100.9", 1))).isFalse();
        assertThat(registry.admit(Peers.udp("198.51.101.9", 1), false)).as("the next /24 is not").isNotNull();
        assertThat(registry.admit(Peers.udp("2001:db8:1:2::1", 1), false)).isNotNull();
    }

    @Test
    void anIpv6BlockIsItsSlash48() {
        registry = registry(SessionLimits.defaults().withPerSource(32, 32, 2).withPerBlock(3));
        proven("2001:db8:1:1::1", 1, "a");
        proven("2001:db8:1:1::2", 1, "b");
        proven("2001:db8:1:2::1", 1, "c");
        assertThat(registry.admit(Peers.udp("2001:db8:1:ffff::1", 1), false)).as("same /48").isNull();
        assertThat(registry.admit(Peers.udp("2001:db8:2:1::1", 1), false)).as("another /48").isNotNull();
    }

    // ---- one form of a name (issue 15, B12) --------------------------------------------------------------

    @Test
    void aNameWithALookAlikeCharacterNamesNobody() {
        registry = registry(SessionLimits.defaults());
        ClassicSession kate = proven("10.0.0.1", 1, "Kate");
        assertThat(registry.byName("kate")).isSameAs(kate);
        assertThat(registry.byName("KATE")).isSameAs(kate);
        assertThat(registry.byName("\u212Aate")).as("a Kelvin sign is not a K").isNull();
        assertThat(registry.byName("kat\u0130")).isNull();
        assertThat(proven("10.0.0.1", 2, "\u212Aate").name()).as("made valid, not folded").isEqualTo("_ate");
    }

    @Test
    void theMembersListChangesOnlyWithTheRoom() {
        registry = registry(SessionLimits.defaults());
        ClassicSession a = proven("10.0.0.1", 1, "a");
        Session[] before = registry.members();
        registry.startHandshake(Peers.udp("10.0.0.9", 1), registry.classicGate(Peers.udp("10.0.0.9", 1)));
        unproven("10.0.0.1", 2, "b");
        assertThat(registry.members()).as("handshakes and unproven sessions do not rebuild it").isSameAs(before);
        ClassicSession c = proven("10.0.0.1", 3, "c");
        assertThat(registry.members()).containsExactly(a, c);
    }

    @Test
    void anotherThreadCannotTouchTheRegistry() throws Exception {
        proven("10.0.0.1", 1, "owner");
        CompletableFuture<Object> elsewhere = CompletableFuture.supplyAsync(() -> registry.byName("owner"));
        assertThatThrownBy(elsewhere::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("belongs to");
        assertThat(CompletableFuture.supplyAsync(registry::liveCount).get()).as("published for metrics").isEqualTo(1);
    }
}
