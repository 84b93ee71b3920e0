package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.v2.V2Constants;

class SequencedAeadTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] IV_SALT = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaab");
    private static final byte[] AD = "seq=7".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT = "attack at dawn".getBytes(StandardCharsets.UTF_8);

    private static TrafficKey key() {
        return new TrafficKey("test", KEY, IV_SALT);
    }

    @Test
    void opensWhatItSealedWithTheSameSequenceNumberAndAssociatedData() throws CryptoFailure {
        byte[] sealed = new SequencedAead(key()).seal(7, AD, TEXT);

        assertThat(sealed).hasSize(SequencedAead.sealedLength(TEXT.length)).hasSize(TEXT.length + 16);
        assertThat(new SequencedAead(key()).open(7, AD, sealed)).isEqualTo(TEXT);
    }

    @Test
    void nonceIsTheIvSaltXoredWithTheBigEndianSequenceNumberAsInTls13() {
        GCMParameterSpec spec = new SequencedAead(key()).nonce(0x0102030405060708L);

        assertThat(spec.getTLen()).isEqualTo(128);
        // a0a1a2a3 unchanged; a4..ab XOR 01..08
        assertThat(HEX.formatHex(spec.getIV())).isEqualTo("a0a1a2a3a5a7a5a3adafada3");
        assertThat(new SequencedAead(key()).nonce(0).getIV()).isEqualTo(IV_SALT);
    }

    @Test
    void sealedBytesAreStandardAesGcmUnderTheDerivedNonce() throws Exception {
        byte[] sealed = new SequencedAead(key()).seal(5, AD, TEXT);

        Cipher reference = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] nonce = IV_SALT.clone();
        nonce[11] ^= 5;
        reference.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY, "AES"),
                new GCMParameterSpec(128, nonce));
        reference.updateAAD(AD);

        assertThat(reference.doFinal(sealed)).isEqualTo(TEXT);
    }

    @Test
    void refusesToSealASequenceNumberTwice() {
        SequencedAead aead = new SequencedAead(key());
        aead.seal(3, AD, TEXT);

        assertThatThrownBy(() -> aead.seal(3, AD, TEXT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> aead.seal(2, AD, TEXT)).isInstanceOf(IllegalArgumentException.class);
        assertThat(aead.lastSealed()).isEqualTo(3);
        assertThat(aead.seal(4, AD, TEXT)).isNotEmpty();
    }

    @Test
    void twoSealersOverOneKeyShareItsSequenceSpace() {
        TrafficKey shared = key();
        new SequencedAead(shared).seal(9, AD, TEXT);

        assertThatThrownBy(() -> new SequencedAead(shared).seal(9, AD, TEXT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sealsSequenceZeroFirstAndAllowsGaps() {
        SequencedAead aead = new SequencedAead(key());

        assertThat(aead.lastSealed()).isEqualTo(-1);
        aead.seal(0, AD, TEXT);
        aead.seal(1000, AD, TEXT);

        assertThat(aead.lastSealed()).isEqualTo(1000);
    }

    @Test
    void refusesToSealNegativeOrPastTheRejectLimit() {
        SequencedAead aead = new SequencedAead(key());

        assertThatThrownBy(() -> aead.seal(-1, AD, TEXT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> aead.seal(V2Constants.REJECT_AFTER_MESSAGES, AD, TEXT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(aead.seal(V2Constants.REJECT_AFTER_MESSAGES - 1, AD, TEXT)).isNotEmpty();
    }

    @Test
    void everyKindOfBadInputFailsOpeningTheSameWay() {
        SequencedAead aead = new SequencedAead(
                new TrafficKey("bad input", HEX.parseHex("ffeeddccbbaa99887766554433221100"), IV_SALT));
        byte[] sealed = aead.seal(7, AD, TEXT);
        byte[] flipped = sealed.clone();
        flipped[0] ^= 1;
        byte[] flippedTag = sealed.clone();
        flippedTag[sealed.length - 1] ^= 1;
        SequencedAead otherKey = new SequencedAead(new TrafficKey("other", new byte[16], IV_SALT));

        assertFails(() -> aead.open(8, AD, sealed));
        assertFails(() -> aead.open(7, "seq=8".getBytes(StandardCharsets.US_ASCII), sealed));
        assertFails(() -> aead.open(7, AD, flipped));
        assertFails(() -> aead.open(7, AD, flippedTag));
        assertFails(() -> aead.open(7, AD, new byte[15]));
        assertFails(() -> aead.open(7, AD, new byte[0]));
        assertFails(() -> aead.open(-1, AD, sealed));
        assertFails(() -> aead.open(V2Constants.REJECT_AFTER_MESSAGES, AD, sealed));
        assertFails(() -> otherKey.open(7, AD, sealed));
    }

    @Test
    void opensTheSameRecordAgainBecauseReplayIsTheReplayWindowsJob() throws CryptoFailure {
        SequencedAead aead = new SequencedAead(key());
        byte[] sealed = aead.seal(1, AD, TEXT);

        assertThat(aead.open(1, AD, sealed)).isEqualTo(aead.open(1, AD, sealed));
    }

    private static void assertFails(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(CryptoFailure.class).hasMessage("cannot decrypt");
    }

    @Test
    void theHardSequenceLimitLiesBetweenTheRekeyPointAndTheAesGcmBound() {
        assertThat(SequencedAead.REJECT_AFTER_MESSAGES).isGreaterThan(V2Constants.REKEY_AFTER_MESSAGES)
                .isLessThan((long) Math.pow(2, 24.5));
    }
}
