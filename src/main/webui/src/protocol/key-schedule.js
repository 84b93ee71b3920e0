// The v2 key schedule (docs/PROTOCOL.md, "Key schedule"; Java: DirectionKeys, SecureChannel.nextSalt):
// HKDF-SHA256 from the session secret, salted with the transcript hash for generation 0 and with a hash
// chain for each later generation, one AES-128-GCM key and one IV salt per direction (TLS 1.3 style).

import { concat, u32, utf8 } from './bytes.js';
import {
  AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, LABEL_C2S_IV, LABEL_C2S_KEY, LABEL_KEY_UPDATE, LABEL_S2C_IV,
  LABEL_S2C_KEY, SESSION_SECRET_LENGTH, TRANSCRIPT_HASH_LENGTH,
} from './constants.js';

/**
 * The session secret as a non-extractable HKDF key: the raw bytes are zeroed once imported, so they
 * never linger in memory. Throws unless it is exactly 32 bytes.
 */
export async function importSessionSecret(raw, subtle = globalThis.crypto.subtle) {
  try {
    if (raw.length !== SESSION_SECRET_LENGTH) {
      throw new TypeError('a session secret is 32 bytes');
    }
    return await subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits']);
  } finally {
    raw.fill(0);
  }
}

/**
 * One generation's key material: `{ c2s: { key, iv }, s2c: { key, iv } }` as raw bytes. WebCrypto's HKDF
 * is Extract then Expand in one call, so each output is HKDF(salt, secret, label, length) with the same
 * salt and secret, which is exactly Expand(Extract(salt, secret), label, length).
 */
export async function deriveKeyMaterial(secretKey, salt, subtle = globalThis.crypto.subtle) {
  if (salt.length !== TRANSCRIPT_HASH_LENGTH) {
    throw new TypeError('a generation salt is a SHA-256 output, 32 bytes');
  }
  const expand = async (label, length) => new Uint8Array(await subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt, info: utf8(label) }, secretKey, length * 8));
  return {
    c2s: { key: await expand(LABEL_C2S_KEY, AEAD_KEY_LENGTH), iv: await expand(LABEL_C2S_IV, AEAD_NONCE_LENGTH) },
    s2c: { key: await expand(LABEL_S2C_KEY, AEAD_KEY_LENGTH), iv: await expand(LABEL_S2C_IV, AEAD_NONCE_LENGTH) },
  };
}

/** Generation g's salt: SHA-256("ciphergram v2 key update" ‖ salt of g − 1 ‖ u32 g). */
export async function nextSalt(previous, generation, subtle = globalThis.crypto.subtle) {
  const input = concat(utf8(LABEL_KEY_UPDATE), previous, u32(generation));
  return new Uint8Array(await subtle.digest('SHA-256', input));
}
