package io.ciphergram.crypto;

import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * A prekey its owner holds: the X25519 private half, which opens what was sealed to it, and the
 * {@link SignedPrekey} that the owner publishes. The owner keeps the current one and, for a while, the
 * previous ones ({@link PrekeyRotation}), then deletes them: what was sealed to a deleted prekey can no
 * longer be opened by anyone, which is the coarse forward secrecy of the design.
 */
public final class PrekeyPair {

    /** An X25519 private key (RFC 7748 section 5): 32 bytes, clamped at use. */
    public static final int PRIVATE_KEY_LENGTH = 32;

    private final X25519PrivateKeyParameters privateKey;
    private final SignedPrekey signedPrekey;

    private PrekeyPair(X25519PrivateKeyParameters privateKey, SignedPrekey signedPrekey) {
        this.privateKey = privateKey;
        this.signedPrekey = signedPrekey;
    }

    /**
     * The prekey with this private half, id and creation time, signed again by {@code identity} (Ed25519 is
     * deterministic, so this is the signature it had when it was made): how the identity file restores it.
     *
     * @throws IllegalArgumentException if the private half is not 32 bytes
     */
    public static PrekeyPair restore(IdentityKeyPair identity, int id, long createdMillis, byte[] privateKey) {
        if (privateKey == null || privateKey.length != PRIVATE_KEY_LENGTH) {
            throw new IllegalArgumentException("an X25519 private key is 32 bytes");
        }
        X25519PrivateKeyParameters parameters = new X25519PrivateKeyParameters(privateKey, 0);
        byte[] publicKey = parameters.generatePublicKey().getEncoded();
        byte[] signature = identity.sign(SignedPrekey.signedMessage(id, publicKey, createdMillis));
        return new PrekeyPair(parameters, SignedPrekey.of(id, createdMillis, publicKey, signature));
    }

    public SignedPrekey signedPrekey() {
        return signedPrekey;
    }

    public int id() {
        return signedPrekey.id();
    }

    public long createdMillis() {
        return signedPrekey.createdMillis();
    }

    /** The 32-byte private half: for the identity file and nothing else. The caller should zero it. */
    public byte[] privateKeyBytes() {
        return privateKey.getEncoded();
    }

    X25519PrivateKeyParameters privateParameters() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "PrekeyPair[" + Integer.toUnsignedString(id()) + ", created " + createdMillis() + ", private half redacted]";
    }
}
