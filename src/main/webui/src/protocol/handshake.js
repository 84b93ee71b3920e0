// The client's side of the v2 handshake (docs/PROTOCOL.md, "Handshake", "Key transport"; Java:
// ClientHandshake). A fresh RSA-OAEP-2048 key pair (SHA-256 for the OAEP hash and MGF1) lives only for
// this handshake: its private key is not extractable and is dropped once the session secret is
// unwrapped, so nothing that persists can open recorded traffic later.

import { equal } from './bytes.js';
import { encode, transcriptHash } from './codec.js';
import { NONCE_LENGTH, RSA_BITS } from './constants.js';
import { fingerprint, verifySignature } from './identity.js';
import { importSessionSecret } from './key-schedule.js';

/**
 * A handshake datagram that cannot be used. Every KeyReply that fails to verify or unwrap gets the same
 * error, so the failures cannot be told apart; the caller ignores it and keeps waiting (step 4).
 */
export class HandshakeError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HandshakeError';
  }
}

export class ClientHandshake {
  #name;
  #crypto;
  #clientNonce;
  #keyPair;
  #publicKey;
  #keyOffer = null;

  constructor(name, crypto, clientNonce, keyPair, publicKey) {
    this.#name = name;
    this.#crypto = crypto;
    this.#clientNonce = clientNonce;
    this.#keyPair = keyPair;
    this.#publicKey = publicKey;
  }

  /** Draws the nonce and the ephemeral key pair for one handshake (RSA key generation takes a moment). */
  static async create(name, crypto = globalThis.crypto) {
    const clientNonce = crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
    const keyPair = await crypto.subtle.generateKey(
      { name: 'RSA-OAEP', modulusLength: RSA_BITS, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' },
      false, ['encrypt', 'decrypt']);
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
    return new ClientHandshake(name, crypto, clientNonce, keyPair, publicKey);
  }

  hello() {
    return encode({ type: 'hello', clientNonce: this.#clientNonce });
  }

  /** Whether a Retry answers this Hello (it echoes our nonce). */
  answers(retry) {
    return equal(retry.clientNonce, this.#clientNonce);
  }

  /** What an identity proof signs besides the identity key (e2e/identity-proof.js). */
  get clientNonce() {
    return this.#clientNonce.slice();
  }

  get clientPublicKey() {
    return this.#publicKey.slice();
  }

  get name() {
    return this.#name;
  }

  /**
   * The KeyOffer answering a Retry of our Hello, with the KeyOffer extensions given (bytes, see
   * key-offer-extensions.js; none by default); the same bytes are resent if its reply is lost.
   */
  onRetry(retry, extensions = new Uint8Array(0)) {
    if (!this.answers(retry)) {
      throw new HandshakeError('a Retry that does not answer this Hello');
    }
    this.#keyOffer = encode({
      type: 'keyOffer', cookie: retry.cookie, clientNonce: this.#clientNonce,
      clientPublicKey: this.#publicKey, name: this.#name, extensions,
    });
    return this.#keyOffer;
  }

  get offered() {
    return this.#keyOffer !== null;
  }

  /** The KeyOffer as sent, or null before the Retry. */
  get keyOffer() {
    return this.#keyOffer;
  }

  /**
   * Verifies the server's signature over the transcript and unwraps the session secret. Resolves with
   * `{ sessionId, secretKey, transcriptHash, limits, fingerprint }`; rejects with a HandshakeError, and
   * changes nothing, for a reply that does not verify or unwrap, so the genuine reply can still finish.
   */
  async onKeyReply(reply) {
    if (this.#keyOffer === null || this.#keyPair === null) {
      throw new HandshakeError('a KeyReply before our KeyOffer, or after the handshake');
    }
    const refused = new HandshakeError('the KeyReply does not verify');
    const subtle = this.#crypto.subtle;
    const hash = await transcriptHash(this.#keyOffer, reply, subtle);
    if (!await verifySignature(reply.serverIdentityKey, hash, reply.signature, subtle)) {
      throw refused;
    }
    let secretKey;
    try {
      const raw = new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP' }, this.#keyPair.privateKey,
        reply.wrappedSecret));
      secretKey = await importSessionSecret(raw, subtle);
    } catch {
      throw refused;
    }
    this.#keyPair = null; // forward secrecy: the key pair never outlives the handshake
    return {
      sessionId: reply.sessionId,
      secretKey,
      transcriptHash: hash,
      limits: reply.limits,
      fingerprint: await fingerprint(reply.serverIdentityKey, subtle),
    };
  }
}
