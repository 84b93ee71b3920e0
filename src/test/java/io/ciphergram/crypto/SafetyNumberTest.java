package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/**
 * The safety number is Signal's numeric fingerprint: it reproduces libsignal's own test vector
 * (NumericFingerprintGeneratorTest, 5,200 iterations), reads the same from both ends, and changes when
 * either key or either name does.
 */
class SafetyNumberTest {

    private static final HexFormat HEX = HexFormat.of();
    // libsignal NumericFingerprintGeneratorTest: serialized Curve25519 keys (type byte 05, then 32 bytes).
    private static final byte[] SIGNAL_ALICE = HEX.parseHex("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868");
    private static final byte[] SIGNAL_BOB = HEX.parseHex("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b");
    private static final String SIGNAL_DISPLAY = "300354477692869396892869876765458257569162576843440918079131";

    @Test
    void reproducesSignalsPublishedVector() {
        String alice = SafetyNumber.half(SIGNAL_ALICE, "+14152222222".getBytes(StandardCharsets.UTF_8), SafetyNumber.ITERATIONS);
        String bob = SafetyNumber.half(SIGNAL_BOB, "+14153333333".getBytes(StandardCharsets.UTF_8), SafetyNumber.ITERATIONS);
        assertThat(SafetyNumber.combine(alice, bob).digits()).isEqualTo(SIGNAL_DISPLAY);
        assertThat(SafetyNumber.combine(bob, alice).digits()).isEqualTo(SIGNAL_DISPLAY);
    }

    @Test
    void bothEndsComputeTheSameSixtyDigitsInTwelveGroups() {
        IdentityPublicKey alice = IdentityKeyPair.generate(new SecureRandom()).publicKey();
        IdentityPublicKey bob = IdentityKeyPair.generate(new SecureRandom()).publicKey();
        SafetyNumber atAlice = SafetyNumber.of("alice", alice, "bob", bob);
        SafetyNumber atBob = SafetyNumber.of("bob", bob, "alice", alice);
        assertThat(atAlice).isEqualTo(atBob);
        assertThat(atAlice.digits()).matches("[0-9]{60}");
        assertThat(atAlice.grouped()).matches("[0-9]{5}( [0-9]{5}){11}");
        assertThat(atAlice.toString()).isEqualTo(atAlice.grouped());
    }

    @Test
    void anotherKeyOrAnotherNameIsAnotherNumber() {
        IdentityPublicKey alice = IdentityKeyPair.generate(new SecureRandom()).publicKey();
        IdentityPublicKey bob = IdentityKeyPair.generate(new SecureRandom()).publicKey();
        IdentityPublicKey mallory = IdentityKeyPair.generate(new SecureRandom()).publicKey();
        SafetyNumber real = SafetyNumber.of("alice", alice, "bob", bob);
        assertThat(SafetyNumber.of("alice", alice, "bob", mallory)).isNotEqualTo(real);
        assertThat(SafetyNumber.of("alice", mallory, "bob", bob)).isNotEqualTo(real);
        assertThat(SafetyNumber.of("alice", alice, "bob2", bob)).isNotEqualTo(real);
    }
}
