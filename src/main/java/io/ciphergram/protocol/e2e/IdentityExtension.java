package io.ciphergram.protocol.e2e;

import io.ciphergram.crypto.IdentityPublicKey;

/**
 * What a client that holds an identity adds to its KeyOffer, right after the requested name (before the
 * zero padding): its Ed25519 identity key and the {@link IdentityProof} signature that binds it to this
 * handshake (docs/PROTOCOL.md, "Identity extension"). {@link E2eCodec} encodes it as
 * {@code u8 type (01) ‖ u8 length (96) ‖ identity key[32] ‖ signature[64]}.
 */
public record IdentityExtension(IdentityPublicKey identity, byte[] signature) {

    /** The extension type byte: nonzero, so it cannot be mistaken for the KeyOffer's zero padding. */
    public static final int TYPE = 0x01;
    /** The length byte's value: key and signature. */
    public static final int BODY_LENGTH = IdentityPublicKey.LENGTH + IdentityPublicKey.SIGNATURE_LENGTH;
    /** All of it: type, length, body. */
    public static final int ENCODED_LENGTH = 2 + BODY_LENGTH;
}
