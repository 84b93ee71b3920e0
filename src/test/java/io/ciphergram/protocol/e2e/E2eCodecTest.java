package io.ciphergram.protocol.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.PrekeyPair;

/**
 * The codecs are exact both ways: what is encoded decodes to the same fields, and bytes that are not the
 * layout (truncated, longer, a bound exceeded, a name that is not UTF-8, a key that is not a key) are an
 * {@link E2eFormatException}, never another exception.
 */
class E2eCodecTest {

    private final SecureRandom random = new SecureRandom();
    private final IdentityKeyPair alice = IdentityKeyPair.generate(random);
    private final IdentityKeyPair bob = IdentityKeyPair.generate(random);
    private final PrekeyPair bobPrekey = bob.newPrekey(7, 1_700_000_000_000L, random);
    private final KeyBundle bobBundle = new KeyBundle(bob.publicKey(), bobPrekey.signedPrekey());

    private Envelope envelope(String text) {
        return EndToEnd.seal(alice, "alice", "bob", bobBundle, text.getBytes(StandardCharsets.UTF_8), 1_700_000_000_123L, random);
    }

    @Test
    void anEnvelopeRoundTripsAndHasTheDocumentedSize() throws Exception {
        Envelope sealed = envelope("hi bob");
        byte[] bytes = E2eCodec.encode(sealed);
        assertThat(bytes).hasSize(E2eCodec.ENVELOPE_OVERHEAD + 5 + 3 + 6);
        assertThat(bytes[0]).isEqualTo((byte) 1);
        Envelope decoded = E2eCodec.decodeEnvelope(bytes);
        assertThat(decoded.sender()).isEqualTo("alice");
        assertThat(decoded.recipient()).isEqualTo("bob");
        assertThat(decoded.recipientPrekeyId()).isEqualTo(7);
        assertThat(decoded.messageId()).isEqualTo(sealed.messageId());
        assertThat(decoded.timeMillis()).isEqualTo(1_700_000_000_123L);
        assertThat(decoded.encapsulatedKey()).isEqualTo(sealed.encapsulatedKey());
        assertThat(decoded.ciphertext()).isEqualTo(sealed.ciphertext());
        assertThat(decoded.signature()).isEqualTo(sealed.signature());
        assertThat(E2eCodec.encode(decoded)).isEqualTo(bytes);
    }

    @Test
    void everyTruncationAndAnyExtraByteIsMalformed() {
        byte[] bytes = E2eCodec.encode(envelope("hello"));
        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> E2eCodec.decodeEnvelope(prefix)).as("%d bytes", length).isInstanceOf(E2eFormatException.class);
        }
        assertThatThrownBy(() -> E2eCodec.decodeEnvelope(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(E2eFormatException.class).hasMessage("bytes after the envelope");
    }

    @Test
    void boundsVersionAndNamesAreChecked() {
        byte[] bytes = E2eCodec.encode(envelope("hello"));
        byte[] version = bytes.clone();
        version[0] = 2;
        assertThatThrownBy(() -> E2eCodec.decodeEnvelope(version)).hasMessage("unknown envelope version");
        byte[] emptyName = bytes.clone();
        emptyName[1] = 0;
        assertThatThrownBy(() -> E2eCodec.decodeEnvelope(emptyName)).hasMessage("sender name length out of bounds");
        byte[] notUtf8 = bytes.clone();
        notUtf8[2] = (byte) 0xFF;
        assertThatThrownBy(() -> E2eCodec.decodeEnvelope(notUtf8)).hasMessage("sender name is not UTF-8");
        int lengthAt = 1 + 1 + 5 + 1 + 3 + 4 + 16 + 8 + 32;
        byte[] hugeCiphertext = bytes.clone();
        hugeCiphertext[lengthAt] = 0x7F;
        assertThatThrownBy(() -> E2eCodec.decodeEnvelope(hugeCiphertext)).hasMessage("ciphertext_len out of bounds");
        byte[] noTag = bytes.clone();
        noTag[lengthAt] = 0;
        noTag[lengthAt + 1] = 0;
        noTag[lengthAt + 2] = 0;
        noTag[lengthAt + 3] = 15;
        assertThatThrownBy(() -> E2eCodec.decodeEnvelope(noTag)).hasMessage("ciphertext_len out of bounds");
        assertThatThrownBy(() -> E2eCodec.decodeEnvelope(new byte[E2eCodec.MAX_ENVELOPE_LENGTH + 1]))
                .isInstanceOf(E2eFormatException.class);
    }

    @Test
    void theLongestPlaintextFitsAndOneByteMoreIsRefused() throws Exception {
        String longest = "x".repeat(E2eCodec.MAX_PLAINTEXT_LENGTH);
        String longName = "n".repeat(E2eCodec.MAX_NAME_BYTES);
        IdentityKeyPair sender = IdentityKeyPair.generate(random);
        Envelope big = EndToEnd.seal(sender, longName, longName, bobBundle, longest.getBytes(StandardCharsets.UTF_8), 0, random);
        byte[] bytes = E2eCodec.encode(big);
        assertThat(bytes).hasSize(E2eCodec.MAX_ENVELOPE_LENGTH);
        assertThat(E2eCodec.MAX_ENVELOPE_LENGTH).isLessThan(65_536);
        assertThat(E2eCodec.decodeEnvelope(bytes).sender()).isEqualTo(longName);
        assertThatThrownBy(() -> EndToEnd.seal(sender, "a", "b", bobBundle, new byte[E2eCodec.MAX_PLAINTEXT_LENGTH + 1], 0, random))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EndToEnd.seal(sender, "n".repeat(129), "b", bobBundle, new byte[1], 0, random))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EndToEnd.seal(sender, "", "b", bobBundle, new byte[1], 0, random))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKeyBundleRoundTripsAndItsSignatureIsChecked() throws Exception {
        byte[] bytes = E2eCodec.encode(bobBundle);
        assertThat(bytes).hasSize(141).hasSize(E2eCodec.KEY_BUNDLE_LENGTH);
        KeyBundle decoded = E2eCodec.decodeKeyBundle(bytes);
        assertThat(decoded).isEqualTo(bobBundle);
        assertThat(decoded.isSigned()).isTrue();

        byte[] forged = bytes.clone();
        System.arraycopy(alice.publicKey().bytes(), 0, forged, 1, 32);
        assertThat(E2eCodec.decodeKeyBundle(forged).isSigned()).as("bob's prekey under alice's identity").isFalse();
        byte[] otherCreated = bytes.clone();
        otherCreated[1 + 32 + 4 + 7] ^= 1;
        assertThat(E2eCodec.decodeKeyBundle(otherCreated).isSigned()).isFalse();

        assertThatThrownBy(() -> E2eCodec.decodeKeyBundle(Arrays.copyOf(bytes, 140))).isInstanceOf(E2eFormatException.class);
        byte[] version = bytes.clone();
        version[0] = 0;
        assertThatThrownBy(() -> E2eCodec.decodeKeyBundle(version)).hasMessage("unknown key bundle version");
        byte[] weak = bytes.clone();
        Arrays.fill(weak, 1, 33, (byte) 0);
        assertThatThrownBy(() -> E2eCodec.decodeKeyBundle(weak)).hasMessage("identity key is not a usable Ed25519 key");
    }

    @Test
    void anIdentityExtensionSitsAfterTheNameAndIsCheckedStrictly() throws Exception {
        IdentityExtension extension = IdentityProof.sign(alice, new byte[16], new byte[32], new byte[294], "alice");
        byte[] bytes = E2eCodec.encode(extension);
        assertThat(bytes).hasSize(98);
        assertThat(bytes[0]).isEqualTo((byte) 0x01);
        assertThat(bytes[1]).isEqualTo((byte) 96);
        byte[] inOffer = new byte[1200];
        System.arraycopy(bytes, 0, inOffer, 400, bytes.length);
        IdentityExtension decoded = E2eCodec.decodeIdentityExtension(inOffer, 400);
        assertThat(decoded.identity()).isEqualTo(alice.publicKey());
        assertThat(decoded.signature()).isEqualTo(extension.signature());

        assertThatThrownBy(() -> E2eCodec.decodeIdentityExtension(inOffer, 0)).hasMessage("not an identity extension");
        assertThatThrownBy(() -> E2eCodec.decodeIdentityExtension(inOffer, 1200 - 97)).hasMessage("identity extension truncated");
        assertThatThrownBy(() -> E2eCodec.decodeIdentityExtension(inOffer, 1201)).hasMessage("identity extension truncated");
        byte[] otherLength = inOffer.clone();
        otherLength[401] = 95;
        assertThatThrownBy(() -> E2eCodec.decodeIdentityExtension(otherLength, 400)).isInstanceOf(E2eFormatException.class);
        byte[] weak = inOffer.clone();
        Arrays.fill(weak, 402, 434, (byte) 0);
        assertThatThrownBy(() -> E2eCodec.decodeIdentityExtension(weak, 400)).hasMessage("identity key is not a usable Ed25519 key");
    }
}
