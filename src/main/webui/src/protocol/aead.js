// AES-128-GCM for one direction and generation, with nonces made from sequence numbers as TLS 1.3 makes
// them (docs/PROTOCOL.md, "Record protection"; Java: SequencedAead, TrafficKey):
//   nonce = iv XOR (00 00 00 00 ‖ u64 sequence)
// Nonces are never random; seal() refuses a sequence number not above every one before, so a nonce
// never repeats under one key.

import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, REJECT_AFTER_MESSAGES } from './constants.js';

/** Every failure to open a record, whatever its cause: one error, so none can be told apart. */
export class CryptoFailure extends Error {
  constructor() {
    super('record does not open');
    this.name = 'CryptoFailure';
  }
}

export class SequencedAead {
  #key;
  #iv;
  #subtle;
  #lastSealed = -1;

  constructor(key, iv, subtle) {
    this.#key = key;
    this.#iv = iv;
    this.#subtle = subtle;
  }

  /** Imports raw key material (16-byte key, 12-byte IV salt) as a non-extractable key and zeroes it. */
  static async import({ key, iv }, subtle = globalThis.crypto.subtle) {
    if (key.length !== AEAD_KEY_LENGTH || iv.length !== AEAD_NONCE_LENGTH) {
      throw new TypeError('AES-128-GCM needs a 16-byte key and a 12-byte IV salt');
    }
    try {
      const cryptoKey = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']);
      return new SequencedAead(cryptoKey, iv.slice(), subtle);
    } finally {
      key.fill(0);
      iv.fill(0);
    }
  }

  /** The 12-byte nonce of record `seq` (RFC 8446 section 5.3). */
  nonce(seq) {
    const nonce = this.#iv.slice();
    let rest = seq;
    for (let i = AEAD_NONCE_LENGTH - 1; i >= AEAD_NONCE_LENGTH - 8; i--) {
      nonce[i] ^= rest % 256;
      rest = Math.floor(rest / 256);
    }
    return nonce;
  }

  /** Ciphertext ‖ tag of `plaintext` under record `seq`, with `associatedData` authenticated. */
  async seal(seq, associatedData, plaintext) {
    if (!Number.isInteger(seq) || seq < 0 || seq >= REJECT_AFTER_MESSAGES) {
      throw new RangeError('sequence number out of range: the keys must be updated first');
    }
    if (seq <= this.#lastSealed) {
      throw new RangeError('a GCM nonce must never repeat');
    }
    this.#lastSealed = seq;
    return new Uint8Array(await this.#subtle.encrypt(
      { name: 'AES-GCM', iv: this.nonce(seq), additionalData: associatedData, tagLength: AEAD_TAG_LENGTH * 8 },
      this.#key, plaintext));
  }

  /** The plaintext of record `seq`; any failure at all is the same CryptoFailure. */
  async open(seq, associatedData, sealed) {
    if (!Number.isInteger(seq) || seq < 0 || seq >= REJECT_AFTER_MESSAGES || sealed.length < AEAD_TAG_LENGTH) {
      throw new CryptoFailure();
    }
    try {
      return new Uint8Array(await this.#subtle.decrypt(
        { name: 'AES-GCM', iv: this.nonce(seq), additionalData: associatedData, tagLength: AEAD_TAG_LENGTH * 8 },
        this.#key, sealed));
    } catch {
      throw new CryptoFailure();
    }
  }
}
