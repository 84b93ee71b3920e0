package io.ciphergram.crypto;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * RSA keys as the seed's clients exchange them: a fresh RSA-2048 pair per session, the public half sent as
 * a PEM {@code PUBLIC KEY} block (SubjectPublicKeyInfo) with 64-character lines, LF line breaks and no
 * trailing newline, which is what pycryptodome's {@code export_key()} writes.
 */
public final class RsaKeys {

    public static final int CLIENT_KEY_BITS = 2048;
    /** The smallest RSA key the server encrypts a session key or secret to (NIST SP 800-57). */
    public static final int MIN_ACCEPTED_BITS = 2048;
    /** Larger keys cost the server more per handshake and no client makes them. */
    public static final int MAX_ACCEPTED_BITS = 4096;
    /**
     * The only public exponent accepted: F4, what every RSA implementation generates (pycryptodome,
     * OpenSSL, the JDK, WebCrypto). The cost of encrypting grows with the exponent's size, so a key with a
     * huge exponent (e = n - 2) would cost the server milliseconds per datagram.
     */
    public static final BigInteger PUBLIC_EXPONENT = BigInteger.valueOf(65_537);

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private RsaKeys() {
    }

    public static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(CLIENT_KEY_BITS, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation unavailable", e);
        }
    }

    public static String toPem(PublicKey key) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return BEGIN + "\n" + body + "\n" + END;
    }

    /** Whether these bytes begin like a PEM public key block; decides how a datagram is read. */
    public static boolean looksLikePem(byte[] bytes) {
        byte[] begin = BEGIN.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length < begin.length) {
            return false;
        }
        for (int i = 0; i < begin.length; i++) {
            if (bytes[i] != begin[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a PEM {@code PUBLIC KEY} block (the classic profile's key datagram) holding an acceptable key.
     *
     * @throws IllegalArgumentException if it is anything else
     */
    public static RSAPublicKey fromPem(String pem) {
        String text = pem.strip();
        if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
            throw new IllegalArgumentException("not a PEM public key block");
        }
        return fromSpki(Base64.getMimeDecoder().decode(text.substring(BEGIN.length(), text.length() - END.length())));
    }

    /**
     * Parses a SubjectPublicKeyInfo DER (the v2 KeyOffer's key) holding an acceptable key.
     *
     * @throws IllegalArgumentException if it is anything else
     */
    public static RSAPublicKey fromSpki(byte[] der) {
        try {
            return requireAcceptable(KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an RSA public key", e);
        }
    }

    /**
     * The one definition of a key the server will encrypt to: RSA of {@link #MIN_ACCEPTED_BITS} to
     * {@link #MAX_ACCEPTED_BITS} bits with the exponent {@link #PUBLIC_EXPONENT}.
     *
     * @throws IllegalArgumentException if {@code key} is anything else
     */
    public static RSAPublicKey requireAcceptable(PublicKey key) {
        if (!(key instanceof RSAPublicKey rsa)) {
            throw new IllegalArgumentException("not an RSA public key");
        }
        int bits = rsa.getModulus().bitLength();
        if (bits < MIN_ACCEPTED_BITS || bits > MAX_ACCEPTED_BITS) {
            throw new IllegalArgumentException("RSA key size out of range");
        }
        if (!PUBLIC_EXPONENT.equals(rsa.getPublicExponent())) {
            throw new IllegalArgumentException("RSA public exponent other than 65537");
        }
        return rsa;
    }
}
