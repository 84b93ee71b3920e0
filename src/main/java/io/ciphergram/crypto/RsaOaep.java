package io.ciphergram.crypto;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;

/**
 * RSA-OAEP for both profiles' key transport ({@link ClassicKeyTransport}, {@link V2KeyTransport}), with
 * every parameter given explicitly: the one path key bytes take, so both transports zero them alike.
 * Decryption has one failure for everything (wrong key, wrong parameters, tampered bytes, a plaintext of
 * the wrong length), so a peer learns nothing from how it failed (no Manger-style oracle). {@code Cipher}s
 * are reused per thread.
 */
final class RsaOaep {

    /** Makes a typed key from its raw bytes; the bytes are zeroed as soon as it returns. */
    @FunctionalInterface
    interface KeyFactory<K> {
        K of(byte[] material);
    }

    private static final ThreadLocal<Cipher> RSA = ThreadLocal.withInitial(
            () -> ClassicMessageCipher.newCipher("RSA/ECB/OAEPPadding"));

    private RsaOaep() {
    }

    /**
     * Encrypts {@code material} (a copy of a key's bytes, which this zeroes) to {@code recipient}.
     *
     * @throws IllegalArgumentException if {@code recipient} cannot be encrypted to
     */
    static byte[] wrap(PublicKey recipient, OAEPParameterSpec parameters, byte[] material) {
        try {
            Cipher cipher = RSA.get();
            cipher.init(Cipher.ENCRYPT_MODE, recipient, parameters);
            return cipher.doFinal(material);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot encrypt to this public key", e);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /** Decrypts a key of exactly {@code length} bytes into the type {@code into} makes, zeroing the plaintext. */
    static <K> K unwrap(PrivateKey own, OAEPParameterSpec parameters, byte[] ciphertext, int length, KeyFactory<K> into)
            throws CryptoFailure {
        byte[] plaintext;
        try {
            Cipher cipher = RSA.get();
            cipher.init(Cipher.DECRYPT_MODE, own, parameters);
            plaintext = cipher.doFinal(ciphertext);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CryptoFailure();
        }
        try {
            if (plaintext.length != length) {
                throw new CryptoFailure();
            }
            return into.of(plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }
}
