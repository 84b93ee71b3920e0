package io.ciphergram.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;

/**
 * RSA-OAEP for both profiles' key transport, with every parameter given explicitly. Decryption has one
 * failure for everything (wrong key, wrong parameters, tampered bytes, a plaintext of the wrong length),
 * so a peer learns nothing from how it failed (no Manger-style oracle). {@code Cipher}s are reused per thread.
 */
final class RsaOaep {

    private static final ThreadLocal<Cipher> RSA = ThreadLocal.withInitial(
            () -> ClassicMessageCipher.newCipher("RSA/ECB/OAEPPadding"));

    private RsaOaep() {
    }

    /** @throws IllegalArgumentException if {@code recipient} cannot be encrypted to */
    static byte[] encrypt(PublicKey recipient, OAEPParameterSpec parameters, byte[] plaintext) {
        try {
            Cipher cipher = RSA.get();
            cipher.init(Cipher.ENCRYPT_MODE, recipient, parameters);
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot encrypt to this public key", e);
        }
    }

    /** Decrypts a plaintext that must be exactly {@code length} bytes; the caller zeroes it after use. */
    static byte[] decrypt(PrivateKey own, OAEPParameterSpec parameters, byte[] ciphertext, int length)
            throws CryptoFailure {
        byte[] plaintext;
        try {
            Cipher cipher = RSA.get();
            cipher.init(Cipher.DECRYPT_MODE, own, parameters);
            plaintext = cipher.doFinal(ciphertext);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CryptoFailure();
        }
        if (plaintext.length != length) {
            Arrays.fill(plaintext, (byte) 0);
            throw new CryptoFailure();
        }
        return plaintext;
    }
}
