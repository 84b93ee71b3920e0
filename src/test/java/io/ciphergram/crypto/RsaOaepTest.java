package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one RSA-OAEP path both key transports take: key bytes are zeroed on the way in and out. */
class RsaOaepTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static KeyPair pair;

    @BeforeAll
    static void generate() {
        pair = RsaKeys.generate(RANDOM);
    }

    @Test
    void wrappingZeroesTheKeyMaterialItWasGiven() throws CryptoFailure {
        byte[] material = new byte[SessionKey.LENGTH];
        RANDOM.nextBytes(material);
        byte[] copy = material.clone();

        byte[] wrapped = RsaOaep.wrap(pair.getPublic(), V2KeyTransport.OAEP_SHA256, material);

        assertThat(material).containsOnly(0);
        assertThat(RsaOaep.unwrap(pair.getPrivate(), V2KeyTransport.OAEP_SHA256, wrapped, copy.length, byte[]::clone))
                .isEqualTo(copy);
    }

    @Test
    void unwrappingZeroesThePlaintextOnceTheKeyIsMadeFromIt() throws CryptoFailure {
        byte[] wrapped = RsaOaep.wrap(pair.getPublic(), V2KeyTransport.OAEP_SHA256, new byte[] {1, 2, 3, 4});
        AtomicReference<byte[]> seen = new AtomicReference<>();

        RsaOaep.unwrap(pair.getPrivate(), V2KeyTransport.OAEP_SHA256, wrapped, 4, plaintext -> {
            seen.set(plaintext);
            return plaintext.clone();
        });

        assertThat(seen.get()).hasSize(4).containsOnly(0);
    }

    @Test
    void aPlaintextOfTheWrongLengthIsTheOneFailure() {
        byte[] wrapped = RsaOaep.wrap(pair.getPublic(), V2KeyTransport.OAEP_SHA256, new byte[5]);

        assertThatThrownBy(() -> RsaOaep.unwrap(pair.getPrivate(), V2KeyTransport.OAEP_SHA256, wrapped, 4, byte[]::clone))
                .isInstanceOf(CryptoFailure.class);
    }

    @Test
    void theClassicTransportZeroesTooAndStillRoundTrips() throws CryptoFailure {
        SessionKey key = SessionKey.random(RANDOM);

        SessionKey back = ClassicKeyTransport.unwrap(pair.getPrivate(), ClassicKeyTransport.wrap(pair.getPublic(), key));

        assertThat(back.encoded()).isEqualTo(key.encoded());
    }
}
