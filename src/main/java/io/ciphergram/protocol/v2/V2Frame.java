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
    record KeyOffer(byte[] cookie, byte[] clientNonce, byte[] clientPublicKey, String name, Extensions extensions)
            implements V2Frame {

        /** A KeyOffer without extensions: what clients before them send. */
        public KeyOffer(byte[] cookie, byte[] clientNonce, byte[] clientPublicKey, String name) {
            this(cookie, clientNonce, clientPublicKey, name, Extensions.NONE);
        }
    }

    /**
     * What a KeyOffer may carry after the name, before the zero padding (docs/PROTOCOL.md, "KeyOffer
     * extensions"), each as {@code u8 type ‖ u8 length ‖ value}: nonzero types, so none is mistaken for
     * padding. Older servers refuse them (nonzero padding), older clients send none.
     *
     * @param identity 01: the client's identity key and the proof that binds it to this handshake, or null
     * @param features 02: what the client takes ({@link #FRAMED}); 0 if absent
     * @param resume 03: the room the client was in and the id of the last line of it that it has, or null
     */
    record Extensions(io.ciphergram.protocol.e2e.IdentityExtension identity, int features, Resume resume) {

        /** Feature bit: every message the server sends is an app frame ({@code AppCodec}), not a text line. */
        public static final int FRAMED = 1;
        public static final Extensions NONE = new Extensions(null, 0, null);

        public boolean framed() {
            return (features & FRAMED) != 0;
        }
    }

    /** A reconnecting client's place: the room it was in and the last line of it it has (0: none). */
    record Resume(String room, long lastLineId) {
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
