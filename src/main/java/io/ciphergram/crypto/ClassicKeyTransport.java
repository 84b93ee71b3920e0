package io.ciphergram.crypto;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;

import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Transports a classic session key as the seed does: RSA-OAEP with SHA-1, MGF1-SHA-1 and an empty label
 * (pycryptodome's {@code PKCS1_OAEP.new(key)} defaults). Parameters are given explicitly rather than left
 * to the provider's defaults.
 */
public final class ClassicKeyTransport {

    private static final OAEPParameterSpec OAEP_SHA1 =
            new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);

    private ClassicKeyTransport() {
    }

    /** Encrypts {@code key} to the client's public key; for a 2048-bit key the result is 256 bytes. */
    public static byte[] wrap(PublicKey recipient, SessionKey key) {
        return RsaOaep.wrap(recipient, OAEP_SHA1, key.encoded());
    }

    public static SessionKey unwrap(PrivateKey own, byte[] wrapped) throws CryptoFailure {
        return RsaOaep.unwrap(own, OAEP_SHA1, wrapped, SessionKey.LENGTH, SessionKey::of);
    }
}
