package io.ciphergram.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): {@link #extract} concentrates input keying material into a
 * pseudorandom key, {@link #expand} stretches that key into labelled output. The JDK has no HKDF before
 * Java 24, so this uses Bouncy Castle's lightweight {@code HKDFBytesGenerator}.
 */
public final class Hkdf {

    /** HashLen of RFC 5869 for SHA-256: the size of a pseudorandom key. */
    public static final int HASH_LENGTH = 32;
    /** RFC 5869 section 2.3: L <= 255 * HashLen. */
    public static final int MAX_OUTPUT_LENGTH = 255 * HASH_LENGTH;

    private Hkdf() {
    }

    /**
     * HKDF-Extract(salt, IKM). A null or empty salt means HashLen zero bytes, as RFC 5869 section 2.2 says.
     */
    public static byte[] extract(byte[] salt, byte[] inputKeyingMaterial) {
        HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
        return generator.extractPRK(salt, inputKeyingMaterial);
    }

    /** HKDF-Expand(PRK, info, L). */
    public static byte[] expand(byte[] pseudorandomKey, byte[] info, int length) {
        if (pseudorandomKey.length < HASH_LENGTH) {
            throw new IllegalArgumentException("a pseudorandom key is at least " + HASH_LENGTH + " bytes");
        }
        if (length < 1 || length > MAX_OUTPUT_LENGTH) {
            throw new IllegalArgumentException("HKDF output length must be 1.." + MAX_OUTPUT_LENGTH);
        }
        HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
        generator.init(HKDFParameters.skipExtractParameters(pseudorandomKey, info));
        byte[] out = new byte[length];
        generator.generateBytes(out, 0, length);
        return out;
    }

}
