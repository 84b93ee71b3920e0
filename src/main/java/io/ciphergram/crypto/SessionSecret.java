package io.ciphergram.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The 32-byte secret a v2 client generates and transports to the server under RSA-OAEP; both sides derive
 * their {@link DirectionKeys} from it. A typed object so the secret never travels as a loose byte array and
 * never reaches a log.
 */
public final class SessionSecret {

    /** 256 bits: a full SHA-256 output of entropy for the key schedule. */
    public static final int LENGTH = 32;

    private final byte[] material;

    private SessionSecret(byte[] material) {
        if (material.length != LENGTH) {
            throw new IllegalArgumentException("a v2 session secret is " + LENGTH + " bytes");
        }
        this.material = material.clone();
    }

    public static SessionSecret random(SecureRandom random) {
        byte[] material = new byte[LENGTH];
        random.nextBytes(material);
        SessionSecret secret = new SessionSecret(material);
        Arrays.fill(material, (byte) 0);
        return secret;
    }

    /** For key transport and test vectors only. */
    static SessionSecret of(byte[] material) {
        return new SessionSecret(material);
    }

    /** A copy of the raw bytes: needed by key transport and key derivation, nothing else. */
    byte[] encoded() {
        return material.clone();
    }

    /** Constant-time: two ends comparing secrets must not leak where they differ. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SessionSecret that && MessageDigest.isEqual(material, that.material);
    }

    @Override
    public int hashCode() {
        return SessionSecret.class.hashCode();
    }

    @Override
    public String toString() {
        return "SessionSecret[256 bits, redacted]";
    }
}
