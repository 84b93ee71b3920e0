package io.ciphergram.crypto;

import java.security.MessageDigest;
import java.util.Arrays;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A user's public identity: an Ed25519 key (RFC 8032), carried as its 32 raw bytes. It verifies the
 * user's signatures (the identity proof of a handshake, a signed prekey, an end-to-end envelope), it is
 * what clients pin per contact, and its {@link #fingerprint()} is what users compare.
 *
 * <p>Only keys that are valid points of prime order are accepted ({@link #of}), so a small-order key,
 * for which one signature verifies for many messages, can never become anyone's identity. Bouncy Castle's
 * {@code rfc8032.Ed25519} does the work: it verifies a signature from the raw key several times faster
 * than the JDK's provider (Ed25519VerifyBenchmark, docs/PROTOCOL.md "End-to-end messages").
 */
public final class IdentityPublicKey {

    /** The raw Ed25519 public key (RFC 8032 section 5.1.5). */
    public static final int LENGTH = 32;
    /** RFC 8032 PureEdDSA signatures. */
    public static final int SIGNATURE_LENGTH = 64;
    /** How much of the fingerprint names the key inside a protocol message (the HPKE info). */
    public static final int KEY_ID_LENGTH = 8;
    /** SubjectPublicKeyInfo DER for Ed25519 is this fixed prefix then the 32 key bytes (RFC 8410 section 4). */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private final byte[] raw;
    private final Fingerprint fingerprint;

    private IdentityPublicKey(byte[] raw) {
        this.raw = raw;
        this.fingerprint = Fingerprint.of(subjectPublicKeyInfo());
    }

    /**
     * The identity key with these 32 raw bytes.
     *
     * @throws IllegalArgumentException if they are not 32 bytes, or not the encoding of a point of prime
     *         order on the curve (the message says which, never the bytes)
     */
    public static IdentityPublicKey of(byte[] raw) {
        if (raw == null || raw.length != LENGTH) {
            throw new IllegalArgumentException("an Ed25519 identity key is 32 bytes");
        }
        if (!Ed25519.validatePublicKeyFull(raw, 0)) {
            throw new IllegalArgumentException("not a usable Ed25519 public key");
        }
        return new IdentityPublicKey(raw.clone());
    }

    /** The 32 raw bytes, as every protocol message carries them. */
    public byte[] bytes() {
        return raw.clone();
    }

    /** The key as SubjectPublicKeyInfo DER (RFC 8410), what {@code openssl pkey -pubout} writes. */
    public byte[] subjectPublicKeyInfo() {
        byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + LENGTH);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, LENGTH);
        return spki;
    }

    /** SHA-256 of the SubjectPublicKeyInfo, printed {@code SHA256:<base64>} as server fingerprints are. */
    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** The first 8 bytes of the fingerprint's digest: names this key inside an envelope's HPKE info. */
    public byte[] keyId() {
        return Arrays.copyOf(fingerprint.bytes(), KEY_ID_LENGTH);
    }

    /**
     * Whether {@code signature} is this key's Ed25519 signature (PureEdDSA, no context) over
     * {@code message}. Anything malformed is simply {@code false}.
     */
    public boolean verify(byte[] message, byte[] signature) {
        if (message == null || signature == null || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        return Ed25519.verify(signature, 0, raw, 0, message, 0, message.length);
    }

    /** Constant time: a pin comparison must not tell how much of a key matched. */
    @Override
    public boolean equals(Object other) {
        return other instanceof IdentityPublicKey that && MessageDigest.isEqual(raw, that.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return "IdentityPublicKey[Ed25519 " + fingerprint + "]";
    }
}
