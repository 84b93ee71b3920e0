package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.MGF1ParameterSpec;

import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.encodings.OAEPEncoding;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class V2KeyTransportTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final OAEPParameterSpec SHA256_WITH_MGF1_SHA1 =
            new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);

    private static KeyPair server;
    private static KeyPair other;

    @BeforeAll
    static void generateKeys() {
        server = RsaKeys.generate(RANDOM);
        other = RsaKeys.generate(RANDOM);
    }

    @Test
    void unwrapsTheSecretItWrapped() throws CryptoFailure {
        SessionSecret secret = SessionSecret.random(RANDOM);

        byte[] wrapped = V2KeyTransport.wrap(server.getPublic(), secret);

        assertThat(wrapped).hasSize(256);
        assertThat(V2KeyTransport.unwrap(server.getPrivate(), wrapped)).isEqualTo(secret);
    }

    @Test
    void wrappingUsesMgf1Sha256SoDecryptingWithMgf1Sha1Fails() throws Exception {
        byte[] wrapped = V2KeyTransport.wrap(server.getPublic(), SessionSecret.random(RANDOM));

        Cipher sha1Mgf = Cipher.getInstance("RSA/ECB/OAEPPadding");
        sha1Mgf.init(Cipher.DECRYPT_MODE, server.getPrivate(), SHA256_WITH_MGF1_SHA1);
        assertThatThrownBy(() -> sha1Mgf.doFinal(wrapped)).isInstanceOf(BadPaddingException.class);

        // The JDK's named transformation is the same trap: it keeps MGF1 on SHA-1.
        Cipher named = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        named.init(Cipher.DECRYPT_MODE, server.getPrivate());
        assertThatThrownBy(() -> named.doFinal(wrapped)).isInstanceOf(BadPaddingException.class);
    }

    @Test
    void unwrapRefusesASecretWrappedWithMgf1Sha1() throws Exception {
        Cipher sha1Mgf = Cipher.getInstance("RSA/ECB/OAEPPadding");
        sha1Mgf.init(Cipher.ENCRYPT_MODE, server.getPublic(), SHA256_WITH_MGF1_SHA1);
        byte[] wrapped = sha1Mgf.doFinal(new byte[32]);

        assertThatThrownBy(() -> V2KeyTransport.unwrap(server.getPrivate(), wrapped))
                .isInstanceOf(CryptoFailure.class);
    }

    @Test
    void anIndependentOaepSha256ImplementationReadsTheWrappedSecret() throws Exception {
        // Bouncy Castle's lightweight OAEP with SHA-256 for both hashes: what WebCrypto's RSA-OAEP/SHA-256 does.
        SessionSecret secret = SessionSecret.random(RANDOM);
        byte[] wrapped = V2KeyTransport.wrap(server.getPublic(), secret);
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) server.getPrivate();
        OAEPEncoding oaep = new OAEPEncoding(new RSAEngine(), new SHA256Digest(), new SHA256Digest(), null);
        oaep.init(false, new RSAPrivateCrtKeyParameters(key.getModulus(), key.getPublicExponent(),
                key.getPrivateExponent(), key.getPrimeP(), key.getPrimeQ(), key.getPrimeExponentP(),
                key.getPrimeExponentQ(), key.getCrtCoefficient()));

        assertThat(oaep.processBlock(wrapped, 0, wrapped.length)).isEqualTo(secret.encoded());
    }

    @Test
    void wrongKeyTamperingAndWrongLengthAllFailTheSameWay() throws Exception {
        byte[] wrapped = V2KeyTransport.wrap(server.getPublic(), SessionSecret.random(RANDOM));
        byte[] tampered = wrapped.clone();
        tampered[100] ^= 1;
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.ENCRYPT_MODE, server.getPublic(), V2KeyTransport.OAEP_SHA256);
        byte[] shortSecret = oaep.doFinal(new byte[16]);

        for (byte[] bad : new byte[][] {tampered, new byte[255], new byte[0], shortSecret}) {
            assertThatThrownBy(() -> V2KeyTransport.unwrap(server.getPrivate(), bad))
                    .isInstanceOf(CryptoFailure.class).hasMessage("cannot decrypt");
        }
        assertThatThrownBy(() -> V2KeyTransport.unwrap(other.getPrivate(), wrapped))
                .isInstanceOf(CryptoFailure.class).hasMessage("cannot decrypt");
    }

    @Test
    void refusesToWrapToAKeyBelow2048Bits() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024, RANDOM);
        KeyPair weak = generator.generateKeyPair();

        assertThatThrownBy(() -> V2KeyTransport.wrap(weak.getPublic(), SessionSecret.random(RANDOM)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
