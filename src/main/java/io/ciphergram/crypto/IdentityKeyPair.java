package io.ciphergram.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A user's identity: an Ed25519 signing key pair (RFC 8032). It signs the handshake's identity proof, each
 * prekey it makes ({@link #newPrekey}) and every end-to-end envelope it sends. The private half never
 * leaves this object except to the identity file ({@link #privateKeyBytes()}), and never appears in
 * {@link #toString()}.
 */
public final class IdentityKeyPair {

    /** The private key is RFC 8032's 32-byte seed. */
    public static final int PRIVATE_KEY_LENGTH = 32;

    private final Ed25519PrivateKeyParameters privateKey;
    private final Ed25519PublicKeyParameters publicParameters;
    private final IdentityPublicKey publicKey;

    private IdentityKeyPair(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicParameters = privateKey.generatePublicKey();
        this.publicKey = IdentityPublicKey.of(publicParameters.getEncoded());
    }

    public static IdentityKeyPair generate(SecureRandom random) {
        return new IdentityKeyPair(new Ed25519PrivateKeyParameters(random));
    }

    /**
     * The identity whose private key (RFC 8032 seed) is these 32 bytes, as the identity file holds it.
     *
     * @throws IllegalArgumentException if they are not 32 bytes
     */
    public static IdentityKeyPair fromPrivateKeyBytes(byte[] seed) {
        if (seed == null || seed.length != PRIVATE_KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 private key is 32 bytes");
        }
        return new IdentityKeyPair(new Ed25519PrivateKeyParameters(seed, 0));
    }

    /** The 32-byte seed: for the identity file and nothing else. The caller should zero it after use. */
    public byte[] privateKeyBytes() {
        return privateKey.getEncoded();
    }

    public IdentityPublicKey publicKey() {
        return publicKey;
    }

    /** The Ed25519 signature (PureEdDSA, deterministic, 64 bytes) of {@code message}. */
    public byte[] sign(byte[] message) {
        byte[] signature = new byte[IdentityPublicKey.SIGNATURE_LENGTH];
        privateKey.sign(Ed25519.Algorithm.Ed25519, publicParameters, null, message, 0, message.length, signature, 0);
        return signature;
    }

    /** A new X25519 prekey with this id and creation time, signed by this identity. */
    public PrekeyPair newPrekey(int id, long createdMillis, SecureRandom random) {
        byte[] privateHalf = new byte[PrekeyPair.PRIVATE_KEY_LENGTH];
        random.nextBytes(privateHalf);
        try {
            return PrekeyPair.restore(this, id, createdMillis, privateHalf);
        } finally {
            Arrays.fill(privateHalf, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "IdentityKeyPair[Ed25519 " + publicKey.fingerprint() + ", private half redacted]";
    }
}
