package io.ciphergram.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The number two users compare to know that each holds the other's real identity key: 60 digits, shown in
 * twelve groups of five, the same on both sides. It is Signal's numeric fingerprint
 * ({@code NumericFingerprintGenerator}, version 0, 5,200 iterations): for each party,
 * {@code h = u16 0 ‖ key ‖ id; h = SHA-512(h ‖ key)} 5,200 times, and the first 30 bytes of {@code h}, as six
 * 5-byte big-endian numbers modulo 100,000, make its 30 digits; the two halves are concatenated with the
 * smaller (as text) first, so the order is fixed whoever computes it. Here the key is the 32 raw bytes of
 * the Ed25519 identity key and the id the user's name in UTF-8.
 */
public final class SafetyNumber {

    /** Signal's iteration count, which makes a search for a colliding key cost 5,200 hashes per try. */
    public static final int ITERATIONS = 5200;
    /** Signal's {@code FINGERPRINT_VERSION}, hashed first. */
    public static final int VERSION = 0;
    public static final int DIGITS = 60;

    private static final int DIGITS_PER_PARTY = 30;
    private static final int CHUNK_BYTES = 5;
    private static final long CHUNK_MODULUS = 100_000;

    private final String digits;

    private SafetyNumber(String digits) {
        this.digits = digits;
    }

    /** The safety number of two users, given in either order (both sides compute the same). */
    public static SafetyNumber of(String localName, IdentityPublicKey localKey, String remoteName, IdentityPublicKey remoteKey) {
        return combine(half(localKey.bytes(), localName.getBytes(StandardCharsets.UTF_8), ITERATIONS),
                half(remoteKey.bytes(), remoteName.getBytes(StandardCharsets.UTF_8), ITERATIONS));
    }

    /** One party's 30 digits from its key bytes and stable identifier (Signal's {@code getFingerprint}). */
    static String half(byte[] key, byte[] stableIdentifier, int iterations) {
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-512", e);
        }
        sha512.update(new byte[] {(byte) (VERSION >>> 8), (byte) VERSION});
        sha512.update(key);
        sha512.update(stableIdentifier);
        // Signal's first round hashes (version ‖ key ‖ id) ‖ key: the initial value is never hashed alone.
        sha512.update(key);
        byte[] hash = sha512.digest();
        for (int i = 1; i < iterations; i++) {
            sha512.update(hash);
            hash = sha512.digest(key);
        }
        StringBuilder out = new StringBuilder(DIGITS_PER_PARTY);
        for (int chunk = 0; chunk < DIGITS_PER_PARTY / 5; chunk++) {
            long value = 0;
            for (int b = 0; b < CHUNK_BYTES; b++) {
                value = (value << 8) | (hash[chunk * CHUNK_BYTES + b] & 0xFF);
            }
            out.append(String.format("%05d", value % CHUNK_MODULUS));
        }
        return out.toString();
    }

    static SafetyNumber combine(String local, String remote) {
        return new SafetyNumber(local.compareTo(remote) <= 0 ? local + remote : remote + local);
    }

    /** The 60 digits, no spaces. */
    public String digits() {
        return digits;
    }

    /** Twelve groups of five digits separated by single spaces, as {@code /verify} prints them. */
    public String grouped() {
        StringBuilder out = new StringBuilder(DIGITS + DIGITS / 5 - 1);
        for (int i = 0; i < DIGITS; i += 5) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(digits, i, i + 5);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SafetyNumber that && digits.equals(that.digits);
    }

    @Override
    public int hashCode() {
        return digits.hashCode();
    }

    @Override
    public String toString() {
        return grouped();
    }
}
