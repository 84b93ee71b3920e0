package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ClassicMessageCipherTest {

    private final SecureRandom random = new SecureRandom();
    private final ClassicMessageCipher cipher = new ClassicMessageCipher(random);
    private final SessionKey key = SessionKey.random(random);

    @Test
    void sealsWithAFreshIvEachTime() throws Exception {
        byte[] a = cipher.seal(key, "same text");
        byte[] b = cipher.seal(key, "same text");
        assertThat(Arrays.copyOf(a, 16)).isNotEqualTo(Arrays.copyOf(b, 16));
        assertThat(new String(cipher.open(key, a), StandardCharsets.UTF_8)).isEqualTo("same text");
        assertThat(new String(cipher.open(key, b), StandardCharsets.UTF_8)).isEqualTo("same text");
    }

    @Test
    void sealedLengthIsIvPlusPaddedBlocks() {
        assertThat(ClassicMessageCipher.sealedLength(0)).isEqualTo(32);
        assertThat(ClassicMessageCipher.sealedLength(15)).isEqualTo(32);
        assertThat(ClassicMessageCipher.sealedLength(16)).isEqualTo(48);
        assertThat(cipher.seal(key, "x".repeat(16))).hasSize(48);
    }

    @Test
    void everyKindOfDecryptionFailureIsTheSameFailure() {
        byte[] good = cipher.seal(key, "hello");
        byte[] badPadding = good.clone();
        badPadding[badPadding.length - 1] ^= 0x01;
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] tooShort = Arrays.copyOf(good, 16);
        SessionKey wrongKey = SessionKey.random(random);

        CryptoFailure[] failures = {
            catchFailure(key, badPadding), catchFailure(key, truncated), catchFailure(key, tooShort),
            catchFailure(wrongKey, good)
        };
        for (CryptoFailure f : failures) {
            assertThat(f).isNotNull();
            assertThat(f.getMessage()).isEqualTo("cannot decrypt");
            assertThat(f.getCause()).isNull();
            assertThat(f.getStackTrace()).isEmpty();
        }
    }

    @Test
    void keyNeverAppearsInItsStringForm() {
        assertThat(key.toString()).doesNotContainPattern("[0-9a-f]{8}").contains("redacted");
    }

    private CryptoFailure catchFailure(SessionKey k, byte[] sealed) {
        try {
            // A wrong key yields valid padding for this fixed input with negligible probability.
            cipher.open(k, sealed);
            return null;
        } catch (CryptoFailure e) {
            return e;
        }
    }

    @Test
    void openRejectsLengthsThatAreNotWholeBlocks() {
        assertThatThrownBy(() -> cipher.open(key, new byte[33])).isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> cipher.open(key, new byte[0])).isInstanceOf(CryptoFailure.class);
    }

    @Test
    void keysInTurnBeyondTheCipherCacheEachSealAndOpenUnderTheirOwn() throws Exception {
        SessionKey[] keys = new SessionKey[CipherCache.CAPACITY + 44];
        byte[][] sealed = new byte[keys.length][];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < keys.length; i++) {
                if (round == 0) {
                    keys[i] = SessionKey.random(random);
                }
                sealed[i] = cipher.seal(keys[i], "line " + i);
            }
            for (int i = 0; i < keys.length; i++) {
                assertThat(new String(cipher.open(keys[i], sealed[i]), StandardCharsets.UTF_8)).isEqualTo("line " + i);
                int other = (i + 1) % keys.length;
                byte[] underOther = sealed[i];
                // Under another key: a failure, or (when the garbage happens to end in valid padding) other bytes.
                try {
                    assertThat(new String(cipher.open(keys[other], underOther), StandardCharsets.UTF_8))
                            .isNotEqualTo("line " + i);
                } catch (CryptoFailure expected) {
                    // the usual outcome
                }
            }
        }
    }
}
