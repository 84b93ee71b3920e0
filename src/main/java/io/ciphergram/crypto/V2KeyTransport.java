package io.ciphergram.crypto;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;

import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Transports a v2 {@link SessionSecret} under RSA-OAEP with SHA-256 for both the label hash and MGF1, and
 * an empty label: exactly WebCrypto's {@code {name: "RSA-OAEP", hash: "SHA-256"}}. The parameters are given
 * explicitly because the JDK's {@code "RSA/ECB/OAEPWithSHA-256AndMGF1Padding"} keeps MGF1 on SHA-1 and so
 * does not interoperate with browsers or with OpenSSL's {@code -pkeyopt rsa_mgf1_md:sha256}.
 */
public final class V2KeyTransport {

    static final OAEPParameterSpec OAEP_SHA256 = new OAEPParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

    private V2KeyTransport() {
    }

    /**
     * Encrypts {@code secret} to {@code recipient}; for a 2048-bit key the result is 256 bytes.
     *
     * @throws IllegalArgumentException if the key is not one {@link RsaKeys#requireAcceptable} accepts
     */
    public static byte[] wrap(PublicKey recipient, SessionSecret secret) {
        RsaKeys.requireAcceptable(recipient);
        return RsaOaep.wrap(recipient, OAEP_SHA256, secret.encoded());
    }

    /**
     * Decrypts a wrapped session secret. A wrong key, wrong OAEP parameters, tampered bytes, a wrong length
     * and a plaintext that is not 32 bytes all end in the same {@link CryptoFailure} (no Manger oracle).
     */
    public static SessionSecret unwrap(PrivateKey own, byte[] wrapped) throws CryptoFailure {
        return RsaOaep.unwrap(own, OAEP_SHA256, wrapped, SessionSecret.LENGTH, SessionSecret::of);
    }
}
