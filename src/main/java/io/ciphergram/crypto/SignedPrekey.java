package io.ciphergram.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The public half of a prekey: the X25519 key (RFC 7748) that senders seal end-to-end envelopes to, with
 * its id, its creation time and the owner's identity signature over
 * {@code ascii("ciphergram v2 prekey") ‖ u32 id ‖ public key ‖ u64 created_ms} (docs/PROTOCOL.md,
 * "End-to-end messages"). What the relay's key directory hands out beside the identity key.
 */
public final class SignedPrekey {

    /** The label that starts every signed prekey message, so that no other signature can pass for one. */
    public static final String LABEL = "ciphergram v2 prekey";
    /** An X25519 public key, RFC 7748 section 5. */
    public static final int PUBLIC_KEY_LENGTH = 32;

    private static final byte[] LABEL_BYTES = LABEL.getBytes(StandardCharsets.US_ASCII);

    private final int id;
    private final long createdMillis;
    private final byte[] publicKey;
    private final byte[] signature;

    private SignedPrekey(int id, long createdMillis, byte[] publicKey, byte[] signature) {
        this.id = id;
        this.createdMillis = createdMillis;
        this.publicKey = publicKey;
        this.signature = signature;
    }

    /**
     * A prekey as a bundle carries it; nothing is verified yet ({@link #verifiedBy}).
     *
     * @param id a u32, in an int's bits
     * @throws IllegalArgumentException if the key is not 32 bytes or the signature not 64
     */
    public static SignedPrekey of(int id, long createdMillis, byte[] publicKey, byte[] signature) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("an X25519 public key is 32 bytes");
        }
        if (signature == null || signature.length != IdentityPublicKey.SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 signature is 64 bytes");
        }
        return new SignedPrekey(id, createdMillis, publicKey.clone(), signature.clone());
    }

    /** The message the identity signs: {@code label ‖ u32 id ‖ public key ‖ u64 created_ms}, 64 bytes. */
    public static byte[] signedMessage(int id, byte[] publicKey, long createdMillis) {
        return ByteBuffer.allocate(LABEL_BYTES.length + 4 + PUBLIC_KEY_LENGTH + 8).put(LABEL_BYTES).putInt(id)
                .put(publicKey).putLong(createdMillis).array();
    }

    /** Whether the signature is {@code identity}'s over this prekey's id, key and creation time. */
    public boolean verifiedBy(IdentityPublicKey identity) {
        return identity.verify(signedMessage(id, publicKey, createdMillis), signature);
    }

    /** The prekey id, a u32 in an int's bits ({@link Integer#toUnsignedString} prints it). */
    public int id() {
        return id;
    }

    public long createdMillis() {
        return createdMillis;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SignedPrekey that && id == that.id && createdMillis == that.createdMillis
                && MessageDigest.isEqual(publicKey, that.publicKey) && MessageDigest.isEqual(signature, that.signature);
    }

    @Override
    public int hashCode() {
        return 31 * Integer.hashCode(id) + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "SignedPrekey[" + Integer.toUnsignedString(id) + ", created " + createdMillis + "]";
    }
}
