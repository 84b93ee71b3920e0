package io.ciphergram.protocol.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.IdentityKeyPair;

/**
 * The identity proof binds an identity key to one handshake's cookie, nonce, ephemeral RSA key and
 * requested name: it verifies for exactly that KeyOffer, and a proof lifted into any other fails.
 */
class IdentityProofTest {

    private final SecureRandom random = new SecureRandom();
    private final IdentityKeyPair alice = IdentityKeyPair.generate(random);
    private final byte[] cookie = bytes(16);
    private final byte[] nonce = bytes(32);
    private final byte[] rsaKey = bytes(294);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void theHashIsTheDocumentedLayout() throws Exception {
        byte[] name = "alice".getBytes(StandardCharsets.UTF_8);
        byte[] input = ByteBuffer.allocate(22 + 16 + 32 + 2 + 294 + 1 + 5 + 32).put("ciphergram v2 identity".getBytes(StandardCharsets.US_ASCII))
                .put(cookie).put(nonce).putShort((short) 294).put(rsaKey).put((byte) 5).put(name).put(alice.publicKey().bytes()).array();
        assertThat(IdentityProof.hash(cookie, nonce, rsaKey, "alice", alice.publicKey()))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(input));
    }

    @Test
    void aProofVerifiesForItsOwnKeyOfferOnly() {
        IdentityExtension proof = IdentityProof.sign(alice, cookie, nonce, rsaKey, "alice");
        assertThat(proof.identity()).isEqualTo(alice.publicKey());
        assertThat(IdentityProof.verify(proof, cookie, nonce, rsaKey, "alice")).isTrue();

        assertThat(IdentityProof.verify(proof, bytes(16), nonce, rsaKey, "alice")).as("another cookie").isFalse();
        assertThat(IdentityProof.verify(proof, cookie, bytes(32), rsaKey, "alice")).as("another handshake").isFalse();
        assertThat(IdentityProof.verify(proof, cookie, nonce, bytes(294), "alice"))
                .as("lifted into a KeyOffer with the thief's own RSA key").isFalse();
        assertThat(IdentityProof.verify(proof, cookie, nonce, rsaKey, "alice2")).as("another name").isFalse();
        assertThat(IdentityProof.verify(proof, cookie, nonce, Arrays.copyOf(rsaKey, 293), "alice")).isFalse();
    }

    @Test
    void anotherIdentityCannotClaimTheProof() {
        IdentityExtension proof = IdentityProof.sign(alice, cookie, nonce, rsaKey, "alice");
        IdentityKeyPair mallory = IdentityKeyPair.generate(random);
        assertThat(IdentityProof.verify(new IdentityExtension(mallory.publicKey(), proof.signature()), cookie, nonce, rsaKey, "alice"))
                .isFalse();
        byte[] flipped = proof.signature();
        flipped[10] ^= 1;
        assertThat(IdentityProof.verify(new IdentityExtension(alice.publicKey(), flipped), cookie, nonce, rsaKey, "alice")).isFalse();
    }

    @Test
    void fieldsOfTheWrongSizeAreFalseToTheVerifierAndAnErrorToTheSigner() {
        IdentityExtension proof = IdentityProof.sign(alice, cookie, nonce, rsaKey, "alice");
        assertThat(IdentityProof.verify(proof, new byte[15], nonce, rsaKey, "alice")).isFalse();
        assertThat(IdentityProof.verify(proof, cookie, nonce, rsaKey, "x".repeat(256))).isFalse();
        assertThat(IdentityProof.verify(new IdentityExtension(alice.publicKey(), new byte[63]), cookie, nonce, rsaKey, "alice")).isFalse();
        assertThatThrownBy(() -> IdentityProof.sign(alice, cookie, new byte[31], rsaKey, "alice")).isInstanceOf(IllegalArgumentException.class);
    }
}
