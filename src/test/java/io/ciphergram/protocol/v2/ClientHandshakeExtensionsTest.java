package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.e2e.IdentityProof;
import io.ciphergram.testing.Peers;

/** The KeyOffer's extensions as the client makes them (#17, #18): what the server decodes, and a proof that verifies. */
class ClientHandshakeExtensionsTest {

    private static final long T0 = 1_000_000_000_000L;
    private static final PeerId ALICE = Peers.udp("192.0.2.1", 40000);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static KeyPair ephemeral;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() {
        ephemeral = RsaKeys.generate(RANDOM);
    }

    @Test
    void theKeyOfferCarriesTheIdentityProofFramedAndResumeAsV2CodecDecodesThem() throws Exception {
        IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        V2Frame.Resume resume = new V2Frame.Resume("#dev", 1_048_585);
        ClientHandshake client = new ClientHandshake("alice", ephemeral, RANDOM,
                new ClientHandshake.Offer(identity, V2Frame.Extensions.FRAMED, resume));
        ServerHandshake server = new ServerHandshake(ServerIdentity.loadOrCreate(dir.resolve("id.pem"), RANDOM),
                new V2Frame.Limits(10, 20, 65_536, 180, 10), RANDOM, T0);
        V2Frame.Hello hello = (V2Frame.Hello) V2Codec.decode(client.hello());
        V2Frame.Retry retry = (V2Frame.Retry) V2Codec.decode(server.onHello(ALICE, hello, T0));

        byte[] bytes = client.onRetry(retry);

        assertThat(bytes).hasSize(V2Codec.PADDED_LENGTH);
        V2Frame.KeyOffer offer = (V2Frame.KeyOffer) V2Codec.decode(bytes);
        V2Frame.Extensions ext = offer.extensions();
        assertThat(ext.framed()).isTrue();
        assertThat(ext.resume()).isEqualTo(resume);
        assertThat(ext.identity().identity()).isEqualTo(identity.publicKey());
        assertThat(IdentityProof.verify(ext.identity(), offer.cookie(), offer.clientNonce(), offer.clientPublicKey(), "alice"))
                .isTrue();
        // bound to this handshake: another name (or another key, cookie, nonce) does not verify
        assertThat(IdentityProof.verify(ext.identity(), offer.cookie(), offer.clientNonce(), offer.clientPublicKey(), "mallory"))
                .isFalse();
        // and the server still completes the handshake with it
        server.admit(ALICE, offer, T0);
        assertThat(client.onKeyReply((V2Frame.KeyReply) V2Codec.decode(server.accept(bytes, offer).keyReply())).sessionId())
                .isNotZero();
    }

    @Test
    void withoutAnOfferTheKeyOfferHasNoExtensionsAsBefore() throws Exception {
        ClientHandshake client = new ClientHandshake("alice", ephemeral, RANDOM);
        V2Frame.Hello hello = (V2Frame.Hello) V2Codec.decode(client.hello());
        byte[] bytes = client.onRetry(new V2Frame.Retry(hello.clientNonce(), new byte[16]));

        assertThat(((V2Frame.KeyOffer) V2Codec.decode(bytes)).extensions()).isEqualTo(V2Frame.Extensions.NONE);
    }

    @Test
    void aResentKeyOfferIsTheSameBytesProofIncluded() throws Exception {
        ClientHandshakeDriver driver = new ClientHandshakeDriver(new ClientHandshake("alice", ephemeral, RANDOM,
                new ClientHandshake.Offer(IdentityKeyPair.generate(RANDOM), V2Frame.Extensions.FRAMED, null)),
                ClientHandshakeDriver.Timing.CONSOLE, T0 + 5_000_000_000L);
        V2Frame.Hello hello = (V2Frame.Hello) V2Codec.decode(driver.start(T0));
        byte[] offer = driver.onDatagram(V2Codec.encode(new V2Frame.Retry(hello.clientNonce(), new byte[16])), T0).orElseThrow();

        assertThat(driver.poll(T0 + 500_000_000L)).hasValueSatisfying(again -> assertThat(again).isEqualTo(offer));
    }
}
