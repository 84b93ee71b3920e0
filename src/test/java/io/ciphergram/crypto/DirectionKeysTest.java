package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class DirectionKeysTest {

    private static final byte[] AD = "header".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT = "hello".getBytes(StandardCharsets.US_ASCII);

    private final SecureRandom random = new SecureRandom();

    @Test
    void clientAndServerDeriveKeysThatOpenEachOthersRecords() throws CryptoFailure {
        SessionSecret secret = SessionSecret.random(random);
        byte[] transcript = randomBytes(32);
        DirectionKeys client = DirectionKeys.derive(secret, transcript);
        DirectionKeys server = DirectionKeys.derive(SessionSecret.of(secret.encoded()), transcript.clone());

        byte[] up = new SequencedAead(client.clientToServer()).seal(0, AD, TEXT);
        byte[] down = new SequencedAead(server.serverToClient()).seal(0, AD, TEXT);

        assertThat(new SequencedAead(server.clientToServer()).open(0, AD, up)).isEqualTo(TEXT);
        assertThat(new SequencedAead(client.serverToClient()).open(0, AD, down)).isEqualTo(TEXT);
    }

    @Test
    void theTwoDirectionsUseDifferentKeysAndIvSalts() {
        DirectionKeys keys = DirectionKeys.derive(SessionSecret.random(random), randomBytes(32));

        assertThat(keys.clientToServer().secretKey().getEncoded())
                .isNotEqualTo(keys.serverToClient().secretKey().getEncoded());
        assertThat(keys.clientToServer().ivSalt()).isNotEqualTo(keys.serverToClient().ivSalt());
    }

    @Test
    void aRecordSealedForOneDirectionDoesNotOpenInTheOther() {
        DirectionKeys keys = DirectionKeys.derive(SessionSecret.random(random), randomBytes(32));
        byte[] up = new SequencedAead(keys.clientToServer()).seal(0, AD, TEXT);

        assertThatThrownBy(() -> new SequencedAead(keys.serverToClient()).open(0, AD, up))
                .isInstanceOf(CryptoFailure.class);
    }

    @Test
    void aDifferentTranscriptGivesKeysThatCannotOpenTheRecords() {
        SessionSecret secret = SessionSecret.random(random);
        byte[] transcript = randomBytes(32);
        byte[] tampered = transcript.clone();
        tampered[0] ^= 1;
        byte[] up = new SequencedAead(DirectionKeys.derive(secret, transcript).clientToServer()).seal(0, AD, TEXT);

        assertThatThrownBy(() -> new SequencedAead(DirectionKeys.derive(secret, tampered).clientToServer())
                .open(0, AD, up)).isInstanceOf(CryptoFailure.class);
    }

    @Test
    void derivationMatchesHkdfWithTheSpecLabels() {
        byte[] secret = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] transcript = new byte[32];
        byte[] prk = Hkdf.extract(transcript, secret);

        DirectionKeys keys = DirectionKeys.derive(SessionSecret.of(secret), transcript);

        assertThat(keys.clientToServer().secretKey().getEncoded())
                .isEqualTo(Hkdf.expand(prk, "ciphergram v2 c2s key".getBytes(StandardCharsets.US_ASCII), 16));
        assertThat(keys.clientToServer().ivSalt())
                .isEqualTo(Hkdf.expand(prk, "ciphergram v2 c2s iv".getBytes(StandardCharsets.US_ASCII), 12));
        assertThat(keys.serverToClient().secretKey().getEncoded())
                .isEqualTo(Hkdf.expand(prk, "ciphergram v2 s2c key".getBytes(StandardCharsets.US_ASCII), 16));
        assertThat(keys.serverToClient().ivSalt())
                .isEqualTo(Hkdf.expand(prk, "ciphergram v2 s2c iv".getBytes(StandardCharsets.US_ASCII), 12));
    }

    @Test
    void keysNeverAppearInToString() {
        SessionSecret secret = SessionSecret.random(random);
        DirectionKeys keys = DirectionKeys.derive(secret, randomBytes(32));
        String hexKey = HexFormat.of().formatHex(keys.clientToServer().secretKey().getEncoded());

        assertThat(keys + " " + keys.clientToServer() + " " + keys.serverToClient() + " " + secret)
                .contains("redacted")
                .doesNotContain(hexKey);
    }

    @Test
    void refusesATranscriptHashThatIsNotSha256Sized() {
        assertThatThrownBy(() -> DirectionKeys.derive(SessionSecret.random(random), new byte[20]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
