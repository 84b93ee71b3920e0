package io.ciphergram.store;

import java.util.Arrays;

/**
 * An identity's current X25519 key for receiving end-to-end messages, signed by its Ed25519 identity key
 * (docs/PROTOCOL.md, "End-to-end messages"): the relay hands it out so that anyone can write to the owner,
 * online or not. The relay stores and serves it as given; clients verify the signature and the pinned
 * identity.
 *
 * @param keyId the owner's number for this key (it names the key in every envelope sealed to it)
 * @param publicKey X25519 public key, 32 bytes (RFC 7748)
 * @param createdMillis when the owner made it
 * @param signature Ed25519 over the key's signed form, 64 bytes
 */
public record SignedPrekey(int keyId, byte[] publicKey, long createdMillis, byte[] signature) {

    public SignedPrekey {
        if (publicKey.length != 32 || signature.length != 64) {
            throw new IllegalArgumentException("an X25519 key is 32 bytes and an Ed25519 signature 64");
        }
        publicKey = publicKey.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedPrekey p && keyId == p.keyId && createdMillis == p.createdMillis
                && Arrays.equals(publicKey, p.publicKey) && Arrays.equals(signature, p.signature);
    }

    @Override
    public int hashCode() {
        return keyId * 31 + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "SignedPrekey[" + keyId + ", created " + createdMillis + "]";
    }
}
