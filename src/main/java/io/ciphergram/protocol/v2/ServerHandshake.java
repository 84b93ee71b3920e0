package io.ciphergram.protocol.v2;

import java.security.PublicKey;
import java.security.SecureRandom;

import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.crypto.V2KeyTransport;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.e2e.IdentityExtension;
import io.ciphergram.protocol.e2e.IdentityProof;

/**
 * The server's side of the v2 handshake (docs/PROTOCOL.md, "v2 handshake"):
 *
 * <pre>
 *   Hello(nonce_c, padded)            →   no state, no RSA: Retry(nonce_c, cookie)
 *   KeyOffer(cookie, nonce_c, key, name, padded) → {@link #admit}: the cookie; only then
 *                                         {@link #accept}: RSA and signature work:
 *                                      ←   KeyReply(nonce_s, session id, identity key, wrapped secret, limits, sig)
 * </pre>
 *
 * Until a valid cookie comes back the server keeps nothing and answers with less than it received, so
 * a spoofed source gains no amplification and costs the server one HMAC. The relay rate-limits both per
 * source before calling them. {@link #onHello} and {@link #admit} touch the cookie secrets and belong to the
 * relay thread;
 * {@link #accept} reads only the identity key and may run on any thread (the server runs it on a
 * handshake worker so that RSA and Ed25519 stay off the relay thread).
 */
public final class ServerHandshake {

    private final ServerIdentity identity;
    private final CookieJar cookies;
    private final V2Frame.Limits limits;
    private final SecureRandom random;

    public ServerHandshake(ServerIdentity identity, V2Frame.Limits limits, SecureRandom random, long nowNanos) {
        this.identity = identity;
        this.limits = limits;
        this.random = random;
        this.cookies = new CookieJar(random, nowNanos);
    }

    public V2Frame.Limits limits() {
        return limits;
    }

    /** Answers a Hello with a Retry carrying the cookie for this peer. */
    public byte[] onHello(PeerId peer, V2Frame.Hello hello, long nowNanos) {
        return V2Codec.encode(new V2Frame.Retry(hello.clientNonce(), cookies.issue(peer, nowNanos)));
    }

    /**
     * The check every KeyOffer passes before anything else is done with it, a repeated one included: the
     * cookie, proof that the sender receives at its address. (The relay takes a rate-limit token first.)
     */
    public void admit(PeerId peer, V2Frame.KeyOffer offer, long nowNanos) throws FrameException {
        if (!cookies.verify(peer, offer.cookie(), nowNanos)) {
            throw new FrameException(DropReason.BAD_COOKIE);
        }
    }

    /** A session the server agreed to: what the relay needs to create it, and the reply to send. */
    /**
     * @param identity the client's identity, if its KeyOffer carried a proof that verified; else null (a
     *        proof that does not verify refuses the offer: {@code bad_identity})
     * @param extensions what else the KeyOffer carried (frames, resume)
     */
    public record Accepted(long sessionId, SessionSecret secret, byte[] transcriptHash, String requestedName,
            byte[] clientNonce, byte[] keyReply, IdentityPublicKey identity, V2Frame.Extensions extensions) {
    }

    /**
     * Transports a fresh session secret to the client's ephemeral key and signs the transcript, for a
     * KeyOffer that {@link #admit} let through.
     *
     * @param datagram the KeyOffer exactly as received (the transcript covers its padding)
     */
    public Accepted accept(byte[] datagram, V2Frame.KeyOffer offer) throws FrameException {
        PublicKey clientKey = clientKey(offer.clientPublicKey());
        IdentityPublicKey clientIdentity = null;
        IdentityExtension proof = offer.extensions().identity();
        if (proof != null) {
            if (!IdentityProof.verify(proof, offer.cookie(), offer.clientNonce(), offer.clientPublicKey(), offer.name())) {
                throw new FrameException(DropReason.BAD_IDENTITY);
            }
            clientIdentity = proof.identity();
        }
        SessionSecret secret = SessionSecret.random(random);
        byte[] serverNonce = new byte[V2Constants.NONCE_LENGTH];
        random.nextBytes(serverNonce);
        long sessionId = random.nextLong();
        V2Frame.KeyReply unsigned = new V2Frame.KeyReply(serverNonce, sessionId, identity.publicKeyEncoded(),
                V2KeyTransport.wrap(clientKey, secret), limits, new byte[0]);
        byte[] transcriptHash = V2Codec.transcriptHash(datagram, unsigned);
        V2Frame.KeyReply signed = new V2Frame.KeyReply(serverNonce, sessionId, unsigned.serverIdentityKey(),
                unsigned.wrappedSecret(), limits, identity.sign(transcriptHash));
        return new Accepted(sessionId, secret, transcriptHash, offer.name(), offer.clientNonce(), V2Codec.encode(signed),
                clientIdentity, offer.extensions());
    }

    private static PublicKey clientKey(byte[] spki) throws FrameException {
        try {
            return RsaKeys.fromSpki(spki);
        } catch (IllegalArgumentException e) {
            throw new FrameException(DropReason.BAD_PUBLIC_KEY);
        }
    }
}
