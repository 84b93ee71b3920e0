package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/** Identity keys and signed prekeys: RFC 8032's keys and signatures, typed, checked, never printed. */
class IdentityKeysTest {

    private static final HexFormat HEX = HexFormat.of();
    // RFC 8032 section 7.1, TEST 1 and TEST 2
    private static final byte[] TEST1_SEED = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static final byte[] TEST1_PUBLIC = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static final byte[] TEST1_SIGNATURE = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    private static final byte[] TEST2_SEED = HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    private static final byte[] TEST2_SIGNATURE = HEX.parseHex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    @Test
    void signsAsRfc8032SaysAndVerifiesOnlyTheRightSignature() {
        IdentityKeyPair test1 = IdentityKeyPair.fromPrivateKeyBytes(TEST1_SEED);
        assertThat(test1.publicKey().bytes()).isEqualTo(TEST1_PUBLIC);
        assertThat(test1.sign(new byte[0])).isEqualTo(TEST1_SIGNATURE);
        assertThat(IdentityKeyPair.fromPrivateKeyBytes(TEST2_SEED).sign(new byte[] {0x72})).isEqualTo(TEST2_SIGNATURE);

        assertThat(test1.publicKey().verify(new byte[0], TEST1_SIGNATURE)).isTrue();
        assertThat(test1.publicKey().verify(new byte[] {0}, TEST1_SIGNATURE)).isFalse();
        assertThat(test1.publicKey().verify(new byte[] {0x72}, TEST2_SIGNATURE)).isFalse();
        assertThat(test1.publicKey().verify(new byte[0], Arrays.copyOf(TEST1_SIGNATURE, 63))).isFalse();
        assertThat(test1.publicKey().verify(new byte[0], null)).isFalse();
    }

    @Test
    void thePrivateKeyRoundTripsThroughItsBytes() {
        IdentityKeyPair pair = IdentityKeyPair.generate(new SecureRandom());
        IdentityKeyPair again = IdentityKeyPair.fromPrivateKeyBytes(pair.privateKeyBytes());
        assertThat(again.publicKey()).isEqualTo(pair.publicKey());
        assertThat(again.sign(new byte[] {1, 2})).isEqualTo(pair.sign(new byte[] {1, 2}));
    }

    @Test
    void aPublicKeyMustBeAPointOfPrimeOrder() {
        assertThatThrownBy(() -> IdentityPublicKey.of(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdentityPublicKey.of(null)).isInstanceOf(IllegalArgumentException.class);
        // Points of small order (the neutral element, order 2, 4 and 8) and a y that is not reduced mod p.
        for (String weak : new String[] {"0100000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"}) {
            assertThatThrownBy(() -> IdentityPublicKey.of(HEX.parseHex(weak))).as(weak)
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("not a usable Ed25519 public key");
        }
        assertThat(IdentityPublicKey.of(TEST1_PUBLIC).bytes()).isEqualTo(TEST1_PUBLIC);
    }

    @Test
    void theFingerprintIsTheSha256OfTheSubjectPublicKeyInfoAndTheKeyIdItsFirstEightBytes() throws Exception {
        IdentityPublicKey key = IdentityPublicKey.of(TEST1_PUBLIC);
        byte[] spki = HEX.parseHex("302a300506032b6570032100" + HEX.formatHex(TEST1_PUBLIC));
        assertThat(key.subjectPublicKeyInfo()).isEqualTo(spki);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(spki);
        assertThat(key.fingerprint()).isEqualTo(Fingerprint.parse("SHA256:"
                + java.util.Base64.getEncoder().withoutPadding().encodeToString(digest)));
        assertThat(key.keyId()).isEqualTo(Arrays.copyOf(digest, 8));
        assertThat(key.toString()).contains(key.fingerprint().toString());
    }

    @Test
    void aPrekeyIsSignedOverLabelIdKeyAndTimeAndAnyChangeBreaksIt() {
        IdentityKeyPair identity = IdentityKeyPair.fromPrivateKeyBytes(TEST1_SEED);
        PrekeyPair prekey = identity.newPrekey(7, 1_700_000_000_000L, new SecureRandom());
        SignedPrekey signed = prekey.signedPrekey();
        assertThat(signed.verifiedBy(identity.publicKey())).isTrue();
        byte[] message = SignedPrekey.signedMessage(7, signed.publicKey(), 1_700_000_000_000L);
        assertThat(message).hasSize(64);
        assertThat(new String(Arrays.copyOf(message, 20))).isEqualTo("ciphergram v2 prekey");
        assertThat(identity.publicKey().verify(message, signed.signature())).isTrue();

        assertThat(SignedPrekey.of(8, signed.createdMillis(), signed.publicKey(), signed.signature()).verifiedBy(identity.publicKey())).isFalse();
        assertThat(SignedPrekey.of(7, signed.createdMillis() + 1, signed.publicKey(), signed.signature()).verifiedBy(identity.publicKey())).isFalse();
        byte[] otherKey = signed.publicKey();
        otherKey[5] ^= 1;
        assertThat(SignedPrekey.of(7, signed.createdMillis(), otherKey, signed.signature()).verifiedBy(identity.publicKey())).isFalse();
        assertThat(signed.verifiedBy(IdentityKeyPair.generate(new SecureRandom()).publicKey())).isFalse();
    }

    @Test
    void aRestoredPrekeyHasTheSameKeyAndSignature() {
        IdentityKeyPair identity = IdentityKeyPair.generate(new SecureRandom());
        PrekeyPair prekey = identity.newPrekey(3, 42, new SecureRandom());
        PrekeyPair restored = PrekeyPair.restore(identity, 3, 42, prekey.privateKeyBytes());
        assertThat(restored.signedPrekey()).isEqualTo(prekey.signedPrekey());
    }

    @Test
    void noPrivateKeyReachesAString() {
        IdentityKeyPair identity = IdentityKeyPair.fromPrivateKeyBytes(TEST1_SEED);
        PrekeyPair prekey = identity.newPrekey(1, 0, new SecureRandom());
        String seedHex = HEX.formatHex(TEST1_SEED);
        assertThat(identity.toString()).doesNotContain(seedHex).contains("redacted");
        assertThat(prekey.toString()).doesNotContain(HEX.formatHex(prekey.privateKeyBytes())).contains("redacted");
    }
}
