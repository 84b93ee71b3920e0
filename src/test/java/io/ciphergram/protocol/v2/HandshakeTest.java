package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.ClientHandshake.HandshakeException;
import io.ciphergram.testing.Peers;

class HandshakeTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_000 * SECOND;
    private static final PeerId ALICE = Peers.udp("192.0.2.1", 40000);
    private static final V2Frame.Limits LIMITS = new V2Frame.Limits(10, 20, 65_536, 180, 10);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private ServerIdentity identity;
    private ServerHandshake server;

    @BeforeEach
    void startServer() throws Exception {
        identity = ServerIdentity.loadOrCreate(dir.resolve("server-identity.pem"), RANDOM);
        server = new ServerHandshake(identity, LIMITS, RANDOM, T0);
    }

    /** What both sides hold after a handshake run in memory. */
    private record Completed(ServerHandshake.Accepted server, ClientHandshake.Established client) {
    }

    private Completed handshake(ClientHandshake client, PeerId peer) throws Exception {
        V2Frame.Hello hello = (V2Frame.Hello) V2Codec.decode(client.hello());
        V2Frame.Retry retry = (V2Frame.Retry) V2Codec.decode(server.onHello(peer, hello, T0));
        byte[] offerDatagram = client.onRetry(retry);
        ServerHandshake.Accepted accepted = keyOffer(server, peer, offerDatagram,
                (V2Frame.KeyOffer) V2Codec.decode(offerDatagram), T0);
        ClientHandshake.Established established = client.onKeyReply((V2Frame.KeyReply) V2Codec.decode(accepted.keyReply()));
        return new Completed(accepted, established);
    }

    @Test
    void aCompletedHandshakeGivesBothSidesOneSessionAndKeysThatInteroperate() throws Exception {
        Completed done = handshake(new ClientHandshake("alice", RANDOM), ALICE);

        assertThat(done.client().sessionId()).isEqualTo(done.server().sessionId());
        assertThat(done.client().transcriptHash()).isEqualTo(done.server().transcriptHash());
        assertThat(done.client().secret()).isEqualTo(done.server().secret());
        assertThat(done.client().limits()).isEqualTo(LIMITS);
        assertThat(done.client().fingerprint()).isEqualTo(identity.fingerprint());
        assertThat(done.server().requestedName()).isEqualTo("alice");

        SecureChannel client = channel(SecureChannel.Role.CLIENT, done.client().sessionId(), done.client().secret(),
                done.client().transcriptHash());
        SecureChannel serverSide = channel(SecureChannel.Role.SERVER, done.server().sessionId(), done.server().secret(),
                done.server().transcriptHash());
        client.offer("hello over v2".getBytes(StandardCharsets.UTF_8));
        List<byte[]> datagrams = client.poll(T0);
        assertThat(datagrams).hasSize(1);
        SecureChannel.Inbound inbound = serverSide.open((V2Frame.Data) V2Codec.decode(datagrams.get(0)), T0);
        assertThat(inbound.messages()).singleElement()
                .satisfies(m -> assertThat(new String(m, StandardCharsets.UTF_8)).isEqualTo("hello over v2"));
    }

    @Test
    void retryAndKeyReplyAreNeverLargerThanTheClientDatagramsThatCausedThem() throws Exception {
        ClientHandshake client = new ClientHandshake("alice", RANDOM);
        byte[] hello = client.hello();
        byte[] retry = server.onHello(ALICE, (V2Frame.Hello) V2Codec.decode(hello), T0);
        byte[] offer = client.onRetry((V2Frame.Retry) V2Codec.decode(retry));
        byte[] reply = keyOffer(server, ALICE, offer, (V2Frame.KeyOffer) V2Codec.decode(offer), T0).keyReply();

        assertThat(retry.length).isLessThan(hello.length);
        assertThat(reply.length).isLessThan(offer.length);
    }

    @Test
    void aKeyOfferWithAForgedCookieIsRefusedBeforeItsKeyIsLookedAt() {
        // The key is garbage: were it parsed (or RSA run) first, the reason would be BAD_PUBLIC_KEY.
        V2Frame.KeyOffer offer = new V2Frame.KeyOffer(new byte[16], new byte[32], new byte[] {1, 2, 3}, "mallory");

        assertDropped(() -> keyOffer(server, ALICE, V2Codec.encode(offer), offer, T0), DropReason.BAD_COOKIE);
    }

    @Test
    void aKeyOfferWithACookieIssuedToAnotherPeerIsRefused() throws Exception {
        byte[] cookie = retryFor(Peers.udp("192.0.2.66", 40000), T0).cookie();
        V2Frame.KeyOffer offer = new V2Frame.KeyOffer(cookie, new byte[32], new byte[] {1, 2, 3}, "mallory");

        assertDropped(() -> keyOffer(server, ALICE, V2Codec.encode(offer), offer, T0), DropReason.BAD_COOKIE);
        assertDropped(() -> keyOffer(server, Peers.udp("192.0.2.1", 40001), V2Codec.encode(offer), offer, T0),
                DropReason.BAD_COOKIE);
    }

    @Test
    void aKeyOfferWithAnExpiredCookieIsRefused() throws Exception {
        byte[] cookie = retryFor(ALICE, T0).cookie();
        V2Frame.KeyOffer offer = new V2Frame.KeyOffer(cookie, new byte[32], new byte[] {1, 2, 3}, "alice");
        long twoSecretLifetimesLater = T0 + 2 * V2Constants.COOKIE_SECRET_LIFETIME_NANOS;

        assertDropped(() -> keyOffer(server, ALICE, V2Codec.encode(offer), offer, twoSecretLifetimesLater),
                DropReason.BAD_COOKIE);
    }

    @Test
    void noRandomnessIsDrawnForAKeyOfferWithABadCookie() throws Exception {
        CountingRandom counting = new CountingRandom();
        ServerHandshake countingServer = new ServerHandshake(identity, LIMITS, counting, T0);
        int afterStart = counting.draws.get();
        V2Frame.KeyOffer offer = new V2Frame.KeyOffer(new byte[16], new byte[32], new byte[] {1, 2, 3}, "mallory");

        assertDropped(() -> keyOffer(countingServer, ALICE, V2Codec.encode(offer), offer, T0), DropReason.BAD_COOKIE);
        assertThat(counting.draws.get()).as("no session secret, nonce or id drawn").isEqualTo(afterStart);
    }

    @Test
    void aValidCookieWithAnUnacceptableKeyIsRefusedAsABadKey() throws Exception {
        byte[] cookie = retryFor(ALICE, T0).cookie();
        V2Frame.KeyOffer offer = new V2Frame.KeyOffer(cookie, new byte[32], new byte[] {1, 2, 3}, "alice");

        assertDropped(() -> keyOffer(server, ALICE, V2Codec.encode(offer), offer, T0), DropReason.BAD_PUBLIC_KEY);
    }

    @Test
    void aKeyReplyWithAFlippedByteInAnySignedFieldIsRefused() throws Exception {
        ClientHandshake client = new ClientHandshake("alice", RANDOM);
        byte[] offer = client.onRetry(retryTo(client));
        byte[] reply = keyOffer(server, ALICE, offer, (V2Frame.KeyOffer) V2Codec.decode(offer), T0).keyReply();
        int identityKeyAt = 3 + 32 + 8 + 2;
        int wrappedAt = identityKeyAt + 44 + 2;
        int limitsAt = wrappedAt + 256;
        int signatureAt = limitsAt + 12 + 2;
        assertThat(signatureAt + 64).as("layout assumed by this test").isEqualTo(reply.length);

        for (int at : new int[] {3, 3 + 32, identityKeyAt + 20, wrappedAt + 100, limitsAt + 1, limitsAt + 11,
                signatureAt, signatureAt + 63}) {
            byte[] tampered = reply.clone();
            tampered[at] ^= 0x01;
            V2Frame.KeyReply frame = (V2Frame.KeyReply) V2Codec.decode(tampered);
            assertThatThrownBy(() -> client.onKeyReply(frame)).as("byte %d flipped", at)
                    .isInstanceOf(HandshakeException.class);
        }
        assertThat(client.onKeyReply((V2Frame.KeyReply) V2Codec.decode(reply)).fingerprint())
                .as("the untampered reply still completes").isEqualTo(identity.fingerprint());
    }

    @Test
    void aKeyReplyForAnotherKeyOfferIsRefused() throws Exception {
        ClientHandshake alice = new ClientHandshake("alice", RANDOM);
        ClientHandshake bob = new ClientHandshake("bob", RANDOM);
        alice.onRetry(retryTo(alice));
        byte[] bobsOffer = bob.onRetry(retryTo(bob));
        byte[] replyToBob = keyOffer(server, ALICE, bobsOffer, (V2Frame.KeyOffer) V2Codec.decode(bobsOffer), T0).keyReply();

        assertThatThrownBy(() -> alice.onKeyReply((V2Frame.KeyReply) V2Codec.decode(replyToBob)))
                .isInstanceOf(HandshakeException.class);
    }

    @Test
    void aServerWithAnotherIdentityIsCaughtByItsFingerprintNotItsSignature() throws Exception {
        ServerIdentity impostor = ServerIdentity.loadOrCreate(dir.resolve("impostor.pem"), RANDOM);
        server = new ServerHandshake(impostor, LIMITS, RANDOM, T0);

        Completed done = handshake(new ClientHandshake("alice", RANDOM), ALICE);

        // The signature binds the reply to the impostor's key, so the handshake completes; pinning the
        // fingerprint (KnownServers) is what tells the user this is not the server they trusted.
        assertThat(done.client().fingerprint()).isEqualTo(impostor.fingerprint());
        assertThat(done.client().fingerprint()).isNotEqualTo(identity.fingerprint());
    }

    @Test
    void aRetryForAnotherNonceIsRefused() throws Exception {
        ClientHandshake client = new ClientHandshake("alice", RANDOM);
        byte[] otherNonce = new byte[32];
        RANDOM.nextBytes(otherNonce);
        V2Frame.Retry retry = (V2Frame.Retry) V2Codec.decode(server.onHello(ALICE, new V2Frame.Hello(otherNonce), T0));

        assertThatThrownBy(() -> client.onRetry(retry)).isInstanceOf(HandshakeException.class);
        assertThat(client.offered()).isFalse();
    }

    @Test
    void aKeyReplyBeforeAnyKeyOfferIsRefused() throws Exception {
        Completed other = handshake(new ClientHandshake("bob", RANDOM), ALICE);
        ClientHandshake client = new ClientHandshake("alice", RANDOM);

        assertThatThrownBy(() -> client.onKeyReply((V2Frame.KeyReply) V2Codec.decode(other.server().keyReply())))
                .isInstanceOf(HandshakeException.class);
    }

    private V2Frame.Retry retryTo(ClientHandshake client) throws Exception {
        return (V2Frame.Retry) V2Codec.decode(server.onHello(ALICE, (V2Frame.Hello) V2Codec.decode(client.hello()), T0));
    }

    private V2Frame.Retry retryFor(PeerId peer, long nowNanos) throws Exception {
        return (V2Frame.Retry) V2Codec.decode(server.onHello(peer, new V2Frame.Hello(new byte[32]), nowNanos));
    }

    private static SecureChannel channel(SecureChannel.Role role, long sessionId, SessionSecret secret,
            byte[] transcriptHash) {
        return new SecureChannel(role, sessionId, secret, transcriptHash, new TokenBucket(0, 0, T0),
                10 * SECOND, V2Constants.REKEY_AFTER_MESSAGES, V2Constants.REKEY_AFTER_NANOS, T0);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void assertDropped(Step step, DropReason reason) {
        assertThatThrownBy(step::run)
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    /** Counts the draws the server makes, to show a refused KeyOffer costs it no key material. */
    private static final class CountingRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        final AtomicInteger draws = new AtomicInteger();

        @Override // nextLong and nextInt draw through here too
        public void nextBytes(byte[] bytes) {
            draws.incrementAndGet();
            super.nextBytes(bytes);
        }
    }

    /** What the relay does with a KeyOffer (after its rate limit): admit it (the cookie), then accept it (RSA, signature). */
    private static ServerHandshake.Accepted keyOffer(ServerHandshake server, PeerId peer, byte[] datagram,
            V2Frame.KeyOffer offer, long now) throws FrameException {
        server.admit(peer, offer, now);
        return server.accept(datagram, offer);
    }
}
