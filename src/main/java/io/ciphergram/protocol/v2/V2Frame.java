package io.ciphergram.protocol.v2;

/**
 * The outer frames of the v2 profile: each is one datagram starting {@code FF 02 type}. See
 * docs/PROTOCOL.md, "v2 profile". Byte arrays are owned by the frame once built; callers do not mutate.
 */
public sealed interface V2Frame {

    /** Client → server, first datagram: a fresh nonce, padded to {@link V2Codec#PADDED_LENGTH} bytes. */
    record Hello(byte[] clientNonce) implements V2Frame {
    }

    /** Server → client: the stateless cookie to echo; never larger than the Hello that caused it. */
    record Retry(byte[] clientNonce, byte[] cookie) implements V2Frame {
    }

    /**
     * Client → server: the echoed cookie, the client's ephemeral RSA-2048 public key (SubjectPublicKeyInfo
     * DER) and the requested username; padded to {@link V2Codec#PADDED_LENGTH} bytes.
     */
    record KeyOffer(byte[] cookie, byte[] clientNonce, byte[] clientPublicKey, String name) implements V2Frame {
    }

    /**
     * Server → client: the session secret RSA-OAEP(SHA-256, MGF1-SHA-256)-wrapped to the client's key, the
     * server's identity key and limits, all signed with the identity key over the transcript hash.
     */
    record KeyReply(byte[] serverNonce, long sessionId, byte[] serverIdentityKey, byte[] wrappedSecret,
            Limits limits, byte[] signature) implements V2Frame {
    }

    /** What the server allows, stated in the handshake so the client can pace itself. */
    record Limits(int messagesPerSecond, int burst, int maxMessageBytes, int idleTimeoutSeconds,
            int keepaliveSeconds) {
    }

    /** Either direction after the handshake: header (authenticated as associated data) and AEAD ciphertext. */
    record Data(long sessionId, int keyPhase, long sequence, byte[] ciphertext) implements V2Frame {
    }
}
