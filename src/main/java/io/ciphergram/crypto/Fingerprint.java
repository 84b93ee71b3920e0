package io.ciphergram.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The fingerprint of a server identity key as users compare it: SHA-256 of the public key's
 * SubjectPublicKeyInfo DER, written like OpenSSH's {@code ssh-keygen -l}: {@code "SHA256:"} followed by
 * unpadded standard base64 (43 characters).
 */
public final class Fingerprint {

    public static final String PREFIX = "SHA256:";
    public static final int LENGTH = 32;

    private final byte[] digest;

    private Fingerprint(byte[] digest) {
        if (digest.length != LENGTH) {
            throw new IllegalArgumentException("a fingerprint is a 32-byte SHA-256 digest");
        }
        this.digest = digest.clone();
    }

    /** The fingerprint of a public key given as its SubjectPublicKeyInfo DER encoding. */
    public static Fingerprint of(byte[] subjectPublicKeyInfo) {
        try {
            return new Fingerprint(MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /**
     * Reads {@code SHA256:<base64>} as {@link #toString()} writes it (padding tolerated).
     *
     * @throws IllegalArgumentException if it is anything else
     */
    public static Fingerprint parse(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a fingerprint looks like SHA256:<base64>");
        }
        byte[] digest;
        try {
            digest = Base64.getDecoder().decode(trimmed.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a fingerprint looks like SHA256:<base64>", e);
        }
        if (digest.length != LENGTH) {
            throw new IllegalArgumentException("a SHA256 fingerprint is 32 bytes, got " + digest.length);
        }
        return new Fingerprint(digest);
    }

    /** A copy of the 32 digest bytes. */
    public byte[] bytes() {
        return digest.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Fingerprint that && MessageDigest.isEqual(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(digest);
    }
}
