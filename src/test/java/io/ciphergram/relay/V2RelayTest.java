package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.testing.Peers;
import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.SessionLimits;
import io.ciphergram.session.SessionRegistry;

/** The v2 profile through the engine alone: handshake defences, record checks, limits, on a fake clock. */
class V2RelayTest {

    @TempDir
    Path dir;

    private static final long START = 1_000_000_000L;
    private final SecureRandom random = new SecureRandom();
    private AtomicLong clock;
    private Counters counters;
    private SessionRegistry sessions;
    private List<RelayFixture.Sent> sent;
    private ChatRelay relay;

    @BeforeEach
    void relay() throws Exception {
        ServerIdentity identity = ServerIdentity.loadOrCreate(dir.resolve("id.pem"));
        ServerHandshake handshake = new ServerHandshake(identity, new V2Frame.Limits(10, 20, 65_536, 180, 10), random,
                START);
        fixture = new RelayFixture(100, 10, 20, handshake, START);
        clock = fixture.clock;
        counters = fixture.counters;
        sessions = fixture.sessions;
        sent = fixture.sent;
        relay = fixture.relay;
    }

    private RelayFixture fixture;

    /** A v2 client at 10.0.0.2:port. */
    final class Client {
        final V2Client client;
        final PeerId peer;
        SecureChannel channel;

        Client(int port) {
            this.client = new V2Client(fixture, Peers.udp("10.0.0.2", port));
            this.peer = client.peer;
        }

        Client join(String name) throws Exception {
            client.join(name);
            channel = client.channel;
            return this;
        }

        /** Hello, then the KeyOffer with the cookie: what reaches the handshake workers. */
        void offer(String name) throws Exception {
            client.offer(new ClientHandshake(name, random));
        }

        List<byte[]> say(String text) {
            return client.say(text);
        }

        List<String> read() throws Exception {
            return client.read();
        }
    }

    @Test
    void beforeTheCookieComesBackTheServerKeepsNothingAndAnswersWithLess() throws Exception {
        PeerId spoofed = Peers.udp("10.9.9.9", 1);
        byte[] hello = new ClientHandshake("x", random).hello();
        relay.onDatagram(spoofed, hello);
        assertThat(sessions.size()).isZero();
        byte[] retry = sent.get(0).datagram();
        assertThat(hello).hasSize(1200);
        assertThat(retry.length).isLessThan(hello.length).isEqualTo(51);

        // A KeyOffer with a made-up cookie: no reply, no session, no RSA work.
        ClientHandshake other = new ClientHandshake("y", random);
        byte[] forged = other.onRetry(new V2Frame.Retry(nonceOf(other), new byte[16]));
        relay.onDatagram(spoofed, forged);
        assertThat(counters.droppedCount(DropReason.BAD_COOKIE)).isEqualTo(1);
        assertThat(sessions.size()).isZero();
        assertThat(sent).hasSize(1);
    }

    @Test
    void aCookieIsBoundToTheAddressItWasIssuedTo() throws Exception {
        ClientHandshake handshake = new ClientHandshake("z", random);
        relay.onDatagram(Peers.udp("10.0.0.7", 1), handshake.hello());
        byte[] keyOffer = handshake.onRetry((V2Frame.Retry) V2Codec.decode(sent.get(0).datagram()));
        relay.onDatagram(Peers.udp("10.0.0.8", 1), keyOffer);
        assertThat(counters.droppedCount(DropReason.BAD_COOKIE)).isEqualTo(1);
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aKeyOfferWithAValidCookieThatDoesNotOpenIsAFailedHandshake() throws Exception {
        ClientHandshake handshake = new ClientHandshake("f", random);
        PeerId peer = Peers.udp("10.0.0.9", 1);
        relay.onDatagram(peer, handshake.hello());
        byte[] keyOffer = handshake.onRetry((V2Frame.Retry) V2Codec.decode(sent.get(0).datagram()));
        keyOffer[53] ^= 1; // the public key's DER header: not a key, though the cookie is valid
        relay.onDatagram(peer, keyOffer);
        assertThat(counters.handshakesFailedCount("v2")).isEqualTo(1);
        assertThat(counters.handshakesCompletedCount("v2")).isZero();
        assertThat(sessions.size()).isZero();

        new Client(2).join("fine");
        assertThat(counters.handshakesCompletedCount("v2")).isEqualTo(1);
        assertThat(counters.handshakesFailedCount("v2")).isEqualTo(1);
    }

    @Test
    void hellosAreAnsweredFromABudgetOfTheirOwnPerSource() throws Exception {
        fixture = new RelayFixture(RelaySettings.defaults().with(helloLimit(5)), handshake(), START);
        byte[] hello = new ClientHandshake("r", random).hello();
        for (int i = 0; i < 12; i++) {
            fixture.relay.onDatagram(Peers.udp("10.0.0.9", 1000 + i), hello);
        }
        assertThat(fixture.sent).as("5 a second, 10 at once").hasSize(10);
        assertThat(fixture.counters.droppedCount(DropReason.HANDSHAKE_RATE_LIMITED)).isEqualTo(2);
        fixture.relay.onDatagram(Peers.udp("10.0.0.10", 1), hello);
        assertThat(fixture.sent).as("another source is unaffected").hasSize(11);
        fixture.clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        fixture.relay.onDatagram(Peers.udp("10.0.0.9", 2000), hello);
        assertThat(fixture.sent).as("tokens come back with time").hasSize(12);
    }

    @Test
    void keyOffersWithAValidCookieAreRateLimitedPerSource() throws Exception {
        for (int i = 0; i < 50; i++) {
            new Client(1000 + i).offer("n" + i);
        }
        assertThat(counters.handshakesCompletedCount("v2")).isEqualTo(50);
        new Client(2000).offer("late");
        assertThat(counters.droppedCount(DropReason.HANDSHAKE_RATE_LIMITED)).as("20 a second, burst 50").isEqualTo(1);
        assertThat(counters.handshakesCompletedCount("v2")).isEqualTo(50);
    }

    /** Issue 15, B7: Hellos forged from a source's address cannot lock its genuine clients out. */
    @Test
    void forgedHellosAndKeyOffersFromASourceDoNotLockItsClientsOut() throws Exception {
        byte[] hello = new ClientHandshake("forged", random).hello();
        byte[] forgedOffer = V2Codec.encode(new V2Frame.KeyOffer(new byte[V2Constants.COOKIE_LENGTH], new byte[32],
                new byte[] {1, 2, 3}, "forged"));
        for (int i = 0; i < 500; i++) {
            relay.onDatagram(Peers.udp("10.0.0.2", 30_000 + i), hello);
            relay.onDatagram(Peers.udp("10.0.0.2", 30_000 + i), forgedOffer);
        }
        assertThat(counters.droppedCount(DropReason.BAD_COOKIE)).isEqualTo(500);
        for (int port = 1; port <= 7; port++) {
            assertThat(new Client(port).join("real" + port).channel).isNotNull();
        }
        assertThat(counters.handshakesCompletedCount("v2")).isEqualTo(7);
    }

    private static SessionLimits helloLimit(double perSecond) {
        SessionLimits d = SessionLimits.defaults();
        return new SessionLimits(d.maxSessions(), d.idleTimeout(), d.handshakeTimeout(), d.unprovenTimeout(),
                d.v2UnprovenTimeout(), d.floodPerSecond(), d.floodBurst(), d.handshakesPerSecond(), d.handshakeBurst(),
                perSecond, d.handshakesPerSource(), d.unprovenPerSource(), d.sessionsPerSource(), d.sessionsPerBlock(),
                d.v2MemoryBudget());
    }

    private ServerHandshake handshake() throws Exception {
        return new ServerHandshake(ServerIdentity.loadOrCreate(dir.resolve("id.pem")),
                new V2Frame.Limits(10, 20, 65_536, 180, 10), random, START);
    }

    @Test
    void replayedAndTamperedRecordsAreDroppedAndCounted() throws Exception {
        Client alice = new Client(1).join("alice");
        Client bob = new Client(2).join("bob");
        List<byte[]> carried = alice.say("once only");
        assertThat(bob.read()).containsOnlyOnce("alice: once only");

        carried.forEach(d -> relay.onDatagram(alice.peer, d));
        assertThat(counters.droppedCount(DropReason.REPLAYED)).isEqualTo(carried.size());

        alice.channel.offer("tampered".getBytes(StandardCharsets.UTF_8));
        byte[] tampered = alice.channel.poll(clock.get()).get(0);
        tampered[tampered.length - 1] ^= 1;
        relay.onDatagram(alice.peer, tampered);
        assertThat(counters.droppedCount(DropReason.AUTH_FAILED)).isEqualTo(1);

        relay.onDatagram(Peers.udp("10.0.0.66", 1), carried.get(0));
        assertThat(counters.droppedCount(DropReason.UNKNOWN_SESSION)).isEqualTo(1);
        assertThat(bob.read()).containsOnlyOnce("alice: once only").noneMatch(t -> t.contains("tampered"));
    }

    @Test
    void aRepeatedKeyOfferGetsTheSameReplyAndKeepsTheSession() throws Exception {
        PeerId peer = Peers.udp("10.0.0.3", 3);
        byte[] keyOffer = new V2Client(fixture, peer).offer(new ClientHandshake("carol", random)).keyOffer;
        byte[] firstReply = sent.stream().filter(s -> s.datagram()[2] == V2Codec.KEY_REPLY).findFirst().orElseThrow().datagram();
        relay.onDatagram(peer, keyOffer); // as if the KeyReply had been lost
        List<byte[]> replies = sent.stream().filter(s -> s.datagram()[2] == V2Codec.KEY_REPLY).map(RelayFixture.Sent::datagram).toList();
        assertThat(replies).hasSize(2);
        assertThat(replies.get(1)).isEqualTo(firstReply);
        assertThat(sessions.size()).isEqualTo(1);
        assertThat(sessions.session(peer).name()).as("unproven: no name yet").isNull();
    }

    /**
     * A slow server (a loaded machine, a JVM just started): the client repeats its KeyOffer before the reply
     * to the first is made. The repeat must not make a second session, which would replace the one whose
     * reply the client takes, so that every record of the client's went to a session that no longer
     * exists (seen in the container smoke test under CPU contention: "completed the handshake but sent
     * nothing within 10 s").
     */
    @Test
    void aKeyOfferRepeatedWhileItsReplyIsStillBeingMadeMakesOneSession() throws Exception {
        PeerId peer = Peers.udp("10.0.0.3", 4);
        V2Client carol = new V2Client(fixture, peer);
        ClientHandshake handshake = new ClientHandshake("carol", random);
        fixture.offload.defer();
        carol.offer(handshake);
        relay.onDatagram(peer, carol.keyOffer); // the client's retransmission: no reply yet
        assertThat(fixture.offload.waiting()).as("handshakes being made").isEqualTo(1);
        fixture.offload.finish();
        List<byte[]> replies = sent.stream().filter(s -> s.datagram()[2] == V2Codec.KEY_REPLY)
                .map(RelayFixture.Sent::datagram).toList();
        assertThat(replies).hasSize(1);
        assertThat(counters.droppedCount(DropReason.OUT_OF_STATE)).isEqualTo(1);

        carol.accept(handshake);
        assertThat(sessions.session(peer).name()).as("the client's first record made it a member").isEqualTo("carol");
    }

    @Test
    void anUnprovenSessionForgetsItsKeyReplyAfterTheHoldAndItsClientCanStillProveItself() throws Exception {
        SessionLimits d = SessionLimits.defaults();
        SessionLimits longUnproven = new SessionLimits(d.maxSessions(), d.idleTimeout(), d.handshakeTimeout(),
                d.unprovenTimeout(), Duration.ofMinutes(5), d.floodPerSecond(), d.floodBurst(), d.handshakesPerSecond(),
                d.handshakeBurst(), d.hellosPerSecond(), d.handshakesPerSource(), d.unprovenPerSource(),
                d.sessionsPerSource(), d.sessionsPerBlock(), d.v2MemoryBudget());
        RelayFixture f = new RelayFixture(RelaySettings.defaults().with(longUnproven), handshake(), START);
        PeerId peer = Peers.udp("10.0.0.3", 3);
        ClientHandshake handshake = new ClientHandshake("carol", random);
        f.relay.onDatagram(peer, handshake.hello());
        byte[] keyOffer = handshake.onRetry((V2Frame.Retry) V2Codec.decode(f.sentTo(peer).get(0)));
        f.relay.onDatagram(peer, keyOffer);
        byte[] reply = f.sentTo(peer).get(1);

        f.clock.addAndGet(V2Constants.KEY_REPLY_HOLD_NANOS - 1);
        f.relay.expireIdle();
        f.relay.onDatagram(peer, keyOffer);
        assertThat(f.sentTo(peer)).as("within the hold: the same reply again").hasSize(3);
        assertThat(f.sentTo(peer).get(2)).isEqualTo(reply);

        f.clock.addAndGet(1);
        f.relay.expireIdle();
        f.relay.onDatagram(peer, keyOffer);
        assertThat(f.sentTo(peer)).as("after it: no client repeats its offer so late").hasSize(3);
        assertThat(f.counters.droppedCount(DropReason.OUT_OF_STATE)).isEqualTo(1);
        assertThat(f.sessions.session(peer)).as("the session stays, unproven").isNotNull();

        ClientHandshake.Established e = handshake.onKeyReply((V2Frame.KeyReply) V2Codec.decode(reply));
        SecureChannel channel = new SecureChannel(SecureChannel.Role.CLIENT, e.sessionId(), e.secret(),
                e.transcriptHash(), TokenBucket.NO_LIMIT, TimeUnit.SECONDS.toNanos(10),
                V2Constants.REKEY_AFTER_MESSAGES, V2Constants.REKEY_AFTER_NANOS, f.clock.get());
        f.relay.onDatagram(peer, channel.ping(f.clock.get()));
        assertThat(f.sessions.session(peer).proven()).as("its client had the reply: its first record proves it").isTrue();
        assertThat(f.sessions.session(peer).name()).isEqualTo("carol");
    }

    @Test
    void onceTheSessionIsProvenARepeatedKeyOfferIsDroppedAndTheMemberStays() throws Exception {
        Client alice = new Client(1).join("alice");
        Client bob = new Client(2).join("bob");
        long replies = sent.stream().filter(s -> s.datagram()[2] == V2Codec.KEY_REPLY).count();

        relay.onDatagram(alice.peer, alice.client.keyOffer); // a late copy, or one an on-path attacker replays

        assertThat(sent.stream().filter(s -> s.datagram()[2] == V2Codec.KEY_REPLY).count()).as("no reply again")
                .isEqualTo(replies);
        assertThat(counters.droppedCount(DropReason.OUT_OF_STATE)).isEqualTo(1);
        alice.say("still here");
        assertThat(bob.read()).contains("alice: still here");
    }

    @Test
    void anIdleV2SessionExpiresAfterItsOwnTimeout() throws Exception {
        Client alice = new Client(1).join("alice");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(170));
        Client bob = new Client(2).join("bob");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(11));
        relay.expireIdle(); // alice: 181 s without a datagram, over the 180 s stated in the handshake
        assertThat(sessions.byName("alice")).isNull();
        assertThat(sessions.byName("bob")).isNotNull();
        assertThat(bob.read()).contains("* alice left");
        alice.say("too late");
        assertThat(counters.droppedCount(DropReason.UNKNOWN_SESSION)).as("its records now belong to nobody").isEqualTo(1);
        assertThat(bob.read()).doesNotContain("alice: too late");
    }

    @Test
    void messagesOverTheStatedLimitAreDroppedWithOneNotice() throws Exception {
        Client alice = new Client(1).join("alice");
        Client bob = new Client(2).join("bob");
        // The stated burst is 20; the server allows a window (64) of slack for bunching after loss.
        long start = clock.get();
        for (int i = 0; i < 100; i++) {
            alice.say("m" + i);
            alice.read();
            bob.read();
            clock.set(start); // all 100 at one instant as far as the flood buckets can tell
        }
        assertThat(bob.read().stream().filter(t -> t.startsWith("alice: m"))).hasSize(84);
        assertThat(counters.droppedCount(DropReason.FLOODED)).isEqualTo(16);
        assertThat(alice.read().stream().filter(t -> t.startsWith("* slow down"))).hasSize(1);
    }

    private static byte[] nonceOf(ClientHandshake handshake) throws Exception {
        return ((V2Frame.Hello) V2Codec.decode(handshake.hello())).clientNonce();
    }
}
