package io.ciphergram.protocol.e2e;

import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.crypto.SignedPrekey;

/**
 * What the relay's key directory hands out for a bound name: the user's Ed25519 identity key and the
 * X25519 prekey to seal to, signed by that identity (docs/PROTOCOL.md, "Key bundle"). A client checks
 * {@link #isSigned()} and then the identity against its pin before it seals anything to it.
 */
public record KeyBundle(IdentityPublicKey identity, SignedPrekey prekey) {

    public static final int VERSION = 1;

    /** Whether the prekey carries its identity's valid signature (over its id, key and creation time). */
    public boolean isSigned() {
        return prekey.verifiedBy(identity);
    }
}
