package io.ciphergram.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;

/**
 * Seals and opens the seed's chat messages: IV(16) || AES-128-CBC-PKCS#7(UTF-8 text), a fresh unpredictable IV
 * each. Callers never choose an IV or a padding. {@code Cipher} instances are reused per thread and key
 * ({@link CipherCache}; the JDK provider uses AES-NI).
 */
public final class ClassicMessageCipher {

    public static final int IV_LENGTH = 16;
    public static final int BLOCK = 16;

    private static final CipherCache CBC = new CipherCache("AES/CBC/PKCS5Padding");

    /** IVs per thread ({@link IvSource}), keyed from {@code random}. */
    private final ThreadLocal<IvSource> ivs;

    /** @param random seeds the IV generators (thread-safe, as every {@code SecureRandom} is) */
    public ClassicMessageCipher(SecureRandom random) {
        this.ivs = ThreadLocal.withInitial(() -> new IvSource(random));
    }

    /** The sealed size of a text of {@code plaintextBytes} UTF-8 bytes: IV plus the PKCS#7-padded blocks. */
    public static int sealedLength(int plaintextBytes) {
        return IV_LENGTH + (plaintextBytes / BLOCK + 1) * BLOCK;
    }

    public byte[] seal(SessionKey key, String text) {
        return seal(key, text.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] seal(SessionKey key, byte[] utf8Text) {
        byte[] iv = new byte[IV_LENGTH];
        ivs.get().next(iv);
        return seal(key, utf8Text, iv);
    }

    /** Package-private: a fixed IV is only for reproducing test vectors. */
    static byte[] seal(SessionKey key, byte[] plaintext, byte[] iv) {
        try {
            Cipher cipher = CBC.forKey(key);
            cipher.init(Cipher.ENCRYPT_MODE, key.secretKey(), new IvParameterSpec(iv));
            byte[] out = new byte[IV_LENGTH + cipher.getOutputSize(plaintext.length)];
            System.arraycopy(iv, 0, out, 0, IV_LENGTH);
            int written = cipher.doFinal(plaintext, 0, plaintext.length, out, IV_LENGTH);
            if (IV_LENGTH + written != out.length) {
                throw new IllegalStateException("unexpected CBC output size");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CBC encryption failed", e);
        }
    }

    /**
     * Opens IV || ciphertext into the plaintext bytes. Wrong length, bad padding and a wrong key all end in
     * the same {@link CryptoFailure}: the seed's CBC has no MAC, so distinguishable failures would be a
     * padding oracle. The caller decodes the text and must treat a malformed one exactly like this failure.
     */
    public byte[] open(SessionKey key, byte[] sealed) throws CryptoFailure {
        if (sealed.length < IV_LENGTH + BLOCK || sealed.length % BLOCK != 0) {
            throw new CryptoFailure();
        }
        try {
            Cipher cipher = CBC.forKey(key);
            cipher.init(Cipher.DECRYPT_MODE, key.secretKey(), new IvParameterSpec(sealed, 0, IV_LENGTH));
            return cipher.doFinal(sealed, IV_LENGTH, sealed.length - IV_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure();
        }
    }

    static Cipher newCipher(String transformation) {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + transformation, e);
        }
    }
}
