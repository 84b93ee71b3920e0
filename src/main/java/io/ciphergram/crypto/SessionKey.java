package io.ciphergram.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-128 session key of one classic session: the seed server generates it per client and sends it
 * RSA-encrypted. A typed object so that keys never travel as loose byte arrays and never reach a log.
 */
public final class SessionKey {

    /** AES-128, as in the seed ("AES-128 in CBC mode"). */
    public static final int LENGTH = 16;

    private final SecretKey key;

    private SessionKey(byte[] material) {
        if (material.length != LENGTH) {
            throw new IllegalArgumentException("an AES-128 session key is 16 bytes");
        }
        this.key = new SecretKeySpec(material, "AES");
    }

    public static SessionKey random(SecureRandom random) {
        byte[] material = new byte[LENGTH];
        random.nextBytes(material);
        SessionKey sessionKey = new SessionKey(material);
        Arrays.fill(material, (byte) 0);
        return sessionKey;
    }

    /** For key transport and test vectors only. */
    static SessionKey of(byte[] material) {
        return new SessionKey(material);
    }

    SecretKey secretKey() {
        return key;
    }

    /** The raw key bytes: needed by key transport, nothing else. */
    byte[] encoded() {
        return key.getEncoded();
    }

    @Override
    public String toString() {
        return "SessionKey[AES-128, redacted]";
    }
}
