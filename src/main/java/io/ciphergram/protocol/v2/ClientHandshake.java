package io.ciphergram.protocol.v2;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;

import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.Fingerprint;
import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.crypto.V2KeyTransport;
import io.ciphergram.protocol.e2e.IdentityProof;

/**
 * The client's side of the v2 handshake, message by message: what to send for what arrived. It makes a
 * fresh RSA-2048 key pair for this session only and forgets it once the session secret is unwrapped, so a
 * later theft of anything on either side does not open recorded traffic. Verifying the server's signature
 * over the transcript authenticates the server; whether its identity key is the one the user trusts is the
 * caller's decision ({@link Established#fingerprint}). When to send, and when to send again or start over,
 * is {@link ClientHandshakeDriver}'s.
 */
public final class ClientHandshake {

    /**
     * What the KeyOffer carries after the name (docs/PROTOCOL.md, "KeyOffer extensions"): the identity to
     * prove (its proof is made for the cookie of the Retry, so only when that arrives), the features asked
     * for, and where a reconnecting client was.
     *
     * @param identity the identity to prove, or null for none
     * @param features {@link V2Frame.Extensions#FRAMED} or 0
     * @param resume the room and last line id to continue from, or null
     */
    public record Offer(IdentityKeyPair identity, int features, V2Frame.Resume resume) {
        /** What clients before the extensions send: nothing after the name. */
        public static final Offer NONE = new Offer(null, 0, null);
    }

    private final SecureRandom random;
    private final String name;
    private Offer offer;
    private final byte[] clientNonce = new byte[V2Constants.NONCE_LENGTH];
    private KeyPair ephemeral;
    private byte[] keyOffer;

    public ClientHandshake(String name, SecureRandom random) {
        this(name, RsaKeys.generate(random), random);
    }

    /**
     * With a key pair made elsewhere: the load generator offers one pair for all its simulated clients, since
     * a pair per session would measure the generator's key generation instead of the server.
     */
    public ClientHandshake(String name, KeyPair ephemeral, SecureRandom random) {
        this(name, ephemeral, random, Offer.NONE);
    }

    /** A handshake whose KeyOffer carries {@code offer}'s extensions. */
    public ClientHandshake(String name, SecureRandom random, Offer offer) {
        this(name, RsaKeys.generate(random), random, offer);
    }

    public ClientHandshake(String name, KeyPair ephemeral, SecureRandom random, Offer offer) {
        this.name = name;
        this.offer = offer;
        this.random = random;
        this.ephemeral = ephemeral;
        random.nextBytes(clientNonce);
    }

    /** Sets what the KeyOffer carries (before it is made): {@link Offer}'s fields. */
    public ClientHandshake offering(IdentityKeyPair identity, int features, V2Frame.Resume resume) {
        if (keyOffer != null) {
            throw new IllegalStateException("the KeyOffer is made already");
        }
        this.offer = new Offer(identity, features, resume);
        return this;
    }

    /**
     * Starts over with a fresh nonce, as after a KeyOffer nobody answered (its cookie may have expired):
     * the next {@link #hello} is a new handshake's, and a Retry or KeyReply for the old one no longer fits.
     * The key pair stays, since it has protected nothing yet.
     */
    public void restart() {
        if (ephemeral == null) {
            throw new IllegalStateException("the handshake is complete");
        }
        random.nextBytes(clientNonce);
        keyOffer = null;
    }

    public byte[] hello() {
        return V2Codec.encode(new V2Frame.Hello(clientNonce));
    }

    /** The KeyOffer for a Retry that answers our Hello; the same bytes are resent if the reply is lost. */
    public byte[] onRetry(V2Frame.Retry retry) throws HandshakeException {
        if (!Arrays.equals(retry.clientNonce(), clientNonce)) {
            throw new HandshakeException("a Retry that does not answer this Hello");
        }
        byte[] publicKey = ephemeral.getPublic().getEncoded();
        // The proof names this cookie, nonce, key and name: it is made for this KeyOffer and no other.
        V2Frame.Extensions extensions = new V2Frame.Extensions(offer.identity() == null ? null
                : IdentityProof.sign(offer.identity(), retry.cookie(), clientNonce, publicKey, name),
                offer.features(), offer.resume());
        keyOffer = V2Codec.encode(new V2Frame.KeyOffer(retry.cookie(), clientNonce, publicKey, name, extensions));
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
