package io.ciphergram.protocol;

import java.security.interfaces.RSAPublicKey;

/**
 * The frames of the classic profile, the seed's wire format. Every frame is one UDP datagram; see
 * docs/PROTOCOL.md, "Classic profile".
 */
public sealed interface ClassicFrame {

    /** Client → server, ASCII {@code SYN}: opens (or restarts) a session. */
    record Syn() implements ClassicFrame {
    }

    /** Server → client, ASCII {@code SYN-ACK}. */
    record SynAck() implements ClassicFrame {
    }

    /** Client → server, ASCII {@code ACK}: completes the handshake. */
    record Ack() implements ClassicFrame {
    }

    /** Client → server: base64 of the client's RSA public key as a PEM block. */
    record PublicKeyOffer(RSAPublicKey key) implements ClassicFrame {
    }

    /** Server → client: base64 of the RSA-OAEP-encrypted session key (344 characters for RSA-2048). */
    record KeyReply(byte[] encryptedKey) implements ClassicFrame {
    }

    /** Client → server after the key exchange: the username as plain UTF-8. */
    record Username(String name) implements ClassicFrame {
    }

    /** Either direction: base64 of IV(16) || AES-128-CBC ciphertext. */
    record Sealed(byte[] ivAndCiphertext) implements ClassicFrame {
    }

    /**
     * Client → server, from the address of a proven session that has a new handshake waiting for its
     * username: an opaque datagram that is the session's message or the handshake's username, which only
     * the session's key can tell. Decoded both ways, once.
     *
     * @param ivAndCiphertext the datagram as base64, or null if it is not base64
     * @param username the datagram as a username, or null if it is not UTF-8
     */
    record SealedOrUsername(byte[] ivAndCiphertext, String username) implements ClassicFrame {
    }

    /**
     * Client → server while the server is still making the key reply: a datagram that is neither SYN, ACK
     * nor a key, which cannot be read until the handshake has its key (the seed's client sends its username
     * then). Its bytes, to be decoded when the state says what they are.
     */
    record Opaque(byte[] datagram) implements ClassicFrame {
    }
}
