package io.ciphergram.protocol.e2e;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.IdentityPublicKey;

/**
 * The proof, in a v2 handshake, that the client holds the identity key it names (docs/PROTOCOL.md,
 * "Identity proof"): its Ed25519 signature over
 *
 * <pre>
 * SHA-256( ascii("ciphergram v2 identity") ‖ cookie[16] ‖ client_nonce[32]
 *        ‖ u16 key_len ‖ the client's ephemeral RSA public key (SPKI DER, as in the KeyOffer)
 *        ‖ u8 name_len ‖ the requested name, UTF-8 ‖ identity key[32] )
 * </pre>
 *
 * The ephemeral RSA key is the one the session secret is wrapped to, so only its holder can use the
 * session the proof opens: a proof copied into another KeyOffer names someone else's RSA key and so gains
 * its copier nothing, and the cookie and nonce make it good for this one handshake. The lengths keep the
 * variable fields from sliding into each other.
 *
 * <p>{@link #verify} costs one Ed25519 verification (Bouncy Castle's, several times faster than the
 * JDK's: Ed25519VerifyBenchmark); the server runs it on a handshake worker, as it does the RSA wrap.
 */
public final class IdentityProof {

    public static final String LABEL = "ciphergram v2 identity";

    private static final byte[] LABEL_BYTES = LABEL.getBytes(StandardCharsets.US_ASCII);
    /*
     * The v2 handshake's cookie and client nonce lengths (V2Constants.COOKIE_LENGTH and NONCE_LENGTH): protocol.v2
     * depends on this package, so it cannot name them; a handshake whose lengths disagree fails
     * ClientHandshakeExtensionsTest.
     */
    private static final int COOKIE_LENGTH = 16;
    private static final int NONCE_LENGTH = 32;
    private static final int MAX_KEY_LENGTH = 0xFFFF;
    private static final int MAX_NAME_LENGTH = 0xFF;

    private IdentityProof() {
    }

    /**
     * The hash that is signed.
     *
     * @throws IllegalArgumentException if the cookie is not 16 bytes, the nonce not 32, or the key or the
     *         name too long for its length field
     */
    public static byte[] hash(byte[] cookie, byte[] clientNonce, byte[] clientPublicKey, String name, IdentityPublicKey identity) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (cookie.length != COOKIE_LENGTH || clientNonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a cookie is 16 bytes and a client nonce 32");
        }
        if (clientPublicKey.length > MAX_KEY_LENGTH || nameBytes.length > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("the key or the name is too long for its length field");
        }
        ByteBuffer input = ByteBuffer.allocate(LABEL_BYTES.length + COOKIE_LENGTH + NONCE_LENGTH + 2 + clientPublicKey.length
                + 1 + nameBytes.length + IdentityPublicKey.LENGTH);
        input.put(LABEL_BYTES).put(cookie).put(clientNonce).putShort((short) clientPublicKey.length).put(clientPublicKey)
                .put((byte) nameBytes.length).put(nameBytes).put(identity.bytes());
        try {
            return MessageDigest.getInstance("SHA-256").digest(input.array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** The client's side: the extension to carry in its KeyOffer, after the name. */
    public static IdentityExtension sign(IdentityKeyPair identity, byte[] cookie, byte[] clientNonce, byte[] clientPublicKey,
            String name) {
        byte[] signature = identity.sign(hash(cookie, clientNonce, clientPublicKey, name, identity.publicKey()));
        return new IdentityExtension(identity.publicKey(), signature);
    }

    /**
     * The server's side: whether the extension proves its identity for this KeyOffer. Anything that does
     * not fit (a field of the wrong size included) is {@code false}.
     */
    public static boolean verify(IdentityExtension extension, byte[] cookie, byte[] clientNonce, byte[] clientPublicKey,
            String name) {
        byte[] hash;
        try {
            hash = hash(cookie, clientNonce, clientPublicKey, name, extension.identity());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return extension.identity().verify(hash, extension.signature());
    }
}
