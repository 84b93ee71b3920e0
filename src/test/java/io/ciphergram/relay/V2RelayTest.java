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
import io.ciphergram.protocol.v2.HandshakeRateLimiter;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.ServerHandshake;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;
import io.ciphergram.session.Counters;
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
                new HandshakeRateLimiter(), START);
        RelayFixture fixture = new RelayFixture(100, 10, 20, handshake, START);
        clock = fixture.clock;
        counters = fixture.counters;
        sessions = fixture.sessions;
        sent = fixture.sent;
        relay = fixture.relay;
    }

    /** A v2 client driven by hand: its channel, and what the relay sent it. */
    final class Client {
        final PeerId peer;
        SecureChannel channel;
        final List<String> texts = new ArrayList<>();
        int readUpTo;

        Client(int port) {
            this.peer = Peers.udp("10.0.0.2", port);
        }

        Client join(String name) throws Exception {
            ClientHandshake handshake = new ClientHandshake(name, random);
            relay.onDatagram(peer, handshake.hello());
            byte[] keyOffer = handshake.onRetry((V2Frame.Retry) V2Codec.decode(last()));
            relay.onDatagram(peer, keyOffer);
            byte[] keyReply = sent.stream().filter(s -> s.to().equals(peer) && s.datagram()[2] == V2Codec.KEY_REPLY)
                    .reduce((a, b) -> b).orElseThrow().datagram();
            ClientHandshake.Established e = handshake.onKeyReply((V2Frame.KeyReply) V2Codec.decode(keyReply));
            channel = new SecureChannel(SecureChannel.Role.CLIENT, e.sessionId(), e.secret(), e.transcriptHash(),
                    new TokenBucket(0, 1, clock.get()), TimeUnit.SECONDS.toNanos(10), V2Constants.REKEY_AFTER_MESSAGES,
                    V2Constants.REKEY_AFTER_NANOS, clock.get()); // unpaced: the tests flood on purpose
            read();
            return this;
        }

        byte[] last() {
            List<RelayFixture.Sent> mine = sent.stream().filter(s -> s.to().equals(peer)).toList();
            return mine.get(mine.size() - 1).datagram();
        }

        /** Sends a text and returns the datagrams that carried it. */
        List<byte[]> say(String text) {
            channel.offer(text.getBytes(StandardCharsets.UTF_8));
            List<byte[]> datagrams = channel.poll(clock.get());
            datagrams.forEach(d -> relay.onDatagram(peer, d));
            return datagrams;
        }

        /** Opens everything the relay has sent this client since the last read, and acknowledges it. */
        List<String> read() throws Exception {
            List<RelayFixture.Sent> all = List.copyOf(sent);
            for (RelayFixture.Sent s : all.subList(readUpTo, all.size())) {
                if (s.to().equals(peer) && V2Codec.decode(s.datagram()) instanceof V2Frame.Data d) {
                    channel.open(d, clock.get()).messages().forEach(m -> texts.add(new String(m, StandardCharsets.UTF_8)));
                }
            }
            readUpTo = all.size();
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(30)); // past the delayed-ack time
            channel.poll(clock.get()).forEach(d -> relay.onDatagram(peer, d));
            return texts;
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
    void handshakesAreRateLimitedPerSource() {
        byte[] hello = new ClientHandshake("r", random).hello();
        for (int i = 0; i < 12; i++) {
            relay.onDatagram(Peers.udp("10.0.0.9", 1000 + i), hello);
        }
        assertThat(sent).hasSize(5);
        assertThat(counters.droppedCount(DropReason.HANDSHAKE_RATE_LIMITED)).isEqualTo(7);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        relay.onDatagram(Peers.udp("10.0.0.9", 2000), hello);
        assertThat(sent).hasSize(6);
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
        ClientHandshake handshake = new ClientHandshake("carol", random);
        relay.onDatagram(peer, handshake.hello());
        byte[] keyOffer = handshake.onRetry((V2Frame.Retry) V2Codec.decode(sent.get(sent.size() - 1).datagram()));
        relay.onDatagram(peer, keyOffer);
        byte[] firstReply = sent.stream().filter(s -> s.datagram()[2] == V2Codec.KEY_REPLY).findFirst().orElseThrow().datagram();
        relay.onDatagram(peer, keyOffer); // as if the KeyReply had been lost
        List<byte[]> replies = sent.stream().filter(s -> s.datagram()[2] == V2Codec.KEY_REPLY).map(RelayFixture.Sent::datagram).toList();
        assertThat(replies).hasSize(2);
        assertThat(replies.get(1)).isEqualTo(firstReply);
        assertThat(sessions.size()).isEqualTo(1);
        assertThat(sessions.byName("carol")).isNotNull();
        assertThat(sessions.byName("carol2")).isNull();
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
        assertThat(alice.channel).isNotNull();
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
