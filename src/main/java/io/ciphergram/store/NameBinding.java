package io.ciphergram.store;

import java.util.Arrays;

/**
 * A name that belongs to an identity: the first session that registered {@code name} with an identity bound
 * it to that identity's Ed25519 public key; only a session proving possession of that key may use it again.
 *
 * @param name the name, as it was first registered (compared ignoring ASCII case, {@code UserName.canonical})
 * @param identityKey the owner's Ed25519 public key, 32 bytes (RFC 8032)
 * @param boundAtMillis when it was bound (epoch milliseconds)
 * @param lastUsedMillis when a session of its owner last used it; unused bindings expire
 * @param prekey the owner's current signed X25519 key for end-to-end messages, or null if none was published
 */
public record NameBinding(String name, byte[] identityKey, long boundAtMillis, long lastUsedMillis, SignedPrekey prekey) {

    public NameBinding {
        if (identityKey.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
        }
        identityKey = identityKey.clone();
    }

    @Override
    public byte[] identityKey() {
        return identityKey.clone();
    }

    /** Whether {@code key} is this binding's owner. */
    public boolean ownedBy(byte[] key) {
        return Arrays.equals(identityKey, key);
    }

    public NameBinding used(long nowMillis) {
        return new NameBinding(name, identityKey, boundAtMillis, Math.max(lastUsedMillis, nowMillis), prekey);
    }

    public NameBinding withPrekey(SignedPrekey newPrekey) {
        return new NameBinding(name, identityKey, boundAtMillis, lastUsedMillis, newPrekey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NameBinding b && name.equals(b.name) && Arrays.equals(identityKey, b.identityKey)
                && boundAtMillis == b.boundAtMillis && lastUsedMillis == b.lastUsedMillis
                && java.util.Objects.equals(prekey, b.prekey);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(identityKey);
    }

    @Override
    public String toString() {
        return "NameBinding[" + name + ", bound " + boundAtMillis + ", used " + lastUsedMillis + "]";
    }
}
