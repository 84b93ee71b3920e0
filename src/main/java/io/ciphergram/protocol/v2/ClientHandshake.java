package io.ciphergram.protocol.v2;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;

import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.Fingerprint;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.crypto.V2KeyTransport;

/**
 * The client's side of the v2 handshake. It makes a fresh RSA-2048 key pair for this session only and
 * forgets it once the session secret is unwrapped, so a later theft of anything on either side does not
 * open recorded traffic. Verifying the server's signature over the transcript authenticates the server;
 * whether its identity key is the one the user trusts is the caller's decision ({@link Established#fingerprint}).
 */
public final class ClientHandshake {

    private final SecureRandom random;
    private final String name;
    private final byte[] clientNonce = new byte[V2Codec.NONCE_LENGTH];
    private KeyPair ephemeral;
    private byte[] keyOffer;

    public ClientHandshake(String name, SecureRandom random) {
        this.name = name;
        this.random = random;
        random.nextBytes(clientNonce);
        this.ephemeral = RsaKeys.generate(random);
    }

    public byte[] hello() {
        return V2Codec.encode(new V2Frame.Hello(clientNonce));
    }

    /** The KeyOffer for a Retry that answers our Hello; the same bytes are resent if the reply is lost. */
    public byte[] onRetry(V2Frame.Retry retry) throws HandshakeException {
        if (!Arrays.equals(retry.clientNonce(), clientNonce)) {
            throw new HandshakeException("a Retry that does not answer this Hello");
        }
        keyOffer = V2Codec.encode(new V2Frame.KeyOffer(retry.cookie(), clientNonce,
                ephemeral.getPublic().getEncoded(), name));
        return keyOffer;
    }

    public boolean offered() {
        return keyOffer != null;
    }

    /** What a completed handshake yields. */
    public record Established(long sessionId, SessionSecret secret, byte[] transcriptHash, V2Frame.Limits limits,
            Fingerprint fingerprint) {
    }

    /** Verifies the server's signature and unwraps the session secret. */
    public Established onKeyReply(V2Frame.KeyReply reply) throws HandshakeException {
        if (keyOffer == null || ephemeral == null) {
            throw new HandshakeException("a KeyReply before our KeyOffer");
        }
        byte[] transcriptHash = V2Codec.transcriptHash(keyOffer, reply);
        if (!ServerIdentity.verify(reply.serverIdentityKey(), transcriptHash, reply.signature())) {
            throw new HandshakeException("the server's signature over the handshake does not verify");
        }
        SessionSecret secret;
        try {
            secret = V2KeyTransport.unwrap(ephemeral.getPrivate(), reply.wrappedSecret());
        } catch (CryptoFailure e) {
            throw new HandshakeException("the session secret could not be unwrapped");
        }
        ephemeral = null; // forward secrecy: this key pair never leaves the handshake
        return new Established(reply.sessionId(), secret, transcriptHash, reply.limits(),
                Fingerprint.of(reply.serverIdentityKey()));
    }

    /** A handshake that cannot go on; the message says why, without secrets. */
    public static final class HandshakeException extends Exception {
        private static final long serialVersionUID = 1L;

        public HandshakeException(String message) {
            super(message);
        }
    }
}
