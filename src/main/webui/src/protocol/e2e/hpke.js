// HPKE (RFC 9180) in base mode with one suite, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM,
// written on WebCrypto (docs/PROTOCOL.md, "End-to-end messages"; Java: crypto.Hpke, which is Bouncy
// Castle's). The few steps of the RFC are spelled out here rather than taken from @hpke/core so that the
// page keeps no dependencies and no bundler: it is section 4 (LabeledExtract, LabeledExpand), 4.1 and
// 7.1.3 (DHKEM over X25519, DeriveKeyPair), 5.1 (the key schedule), 5.2 (nonces) and 5.3 (export).
// test/e2e-hpke.test.js replays Appendix A.1.1. Nobody chooses a nonce: a context counts its own.

import { concat, utf8 } from '../bytes.js';

const subtle = () => globalThis.crypto.subtle;

export const KEM_ID = 0x0020;
export const KDF_ID = 0x0001;
export const AEAD_ID = 0x0001;
/** Nenc and Npk of DHKEM(X25519): a raw X25519 public key. */
export const ENCAPSULATED_KEY_LENGTH = 32;
export const PRIVATE_KEY_LENGTH = 32;
export const TAG_LENGTH = 16;
const NK = 16;
const NN = 12;
const NH = 32;
const MODE_BASE = 0x00;

const KEM_SUITE_ID = concat(utf8('KEM'), i2osp(KEM_ID, 2));
const HPKE_SUITE_ID = concat(utf8('HPKE'), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(AEAD_ID, 2));
const VERSION_LABEL = utf8('HPKE-v1');
/** PKCS#8 (RFC 8410 section 7) of an X25519 key: this prefix, then the 32 private bytes. */
const X25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e,
  0x04, 0x22, 0x04, 0x20);
/** u = 9, the base point of Curve25519 (RFC 7748 section 4.1): DH with it gives a private key's public key. */
const BASE_POINT = (() => {
  const b = new Uint8Array(32);
  b[0] = 9;
  return b;
})();

/** Every failure to open, whatever its cause: one error, so none can be told apart. */
export class HpkeOpenError extends Error {
  constructor() {
    super('does not open');
    this.name = 'HpkeOpenError';
  }
}

function i2osp(value, length) {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return out;
}

async function hmac(key, data) {
  // HMAC pads a short key with zeros, so the empty salt of RFC 5869 is the same as Nh zero bytes, which
  // WebCrypto accepts (it refuses a zero-length HMAC key).
  const raw = key.length === 0 ? new Uint8Array(NH) : key;
  const k = await subtle().importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, data));
}

/** LabeledExtract(salt, label, ikm) of RFC 9180 section 4. */
export async function labeledExtract(suiteId, salt, label, ikm) {
  return hmac(salt, concat(VERSION_LABEL, suiteId, utf8(label), ikm));
}

/** LabeledExpand(prk, label, info, L) of RFC 9180 section 4: HKDF-Expand (RFC 5869 section 2.3). */
export async function labeledExpand(suiteId, prk, label, info, length) {
  const labeledInfo = concat(i2osp(length, 2), VERSION_LABEL, suiteId, utf8(label), info);
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  for (let i = 1, at = 0; at < length; i++) {
    previous = await hmac(prk, concat(previous, labeledInfo, Uint8Array.of(i)));
    out.set(previous.subarray(0, Math.min(NH, length - at)), at);
    at += NH;
  }
  return out;
}

/** An X25519 private key from its 32 raw bytes, as a CryptoKey that can only derive (not be exported). */
export async function importPrivateKey(raw, extractable = false) {
  if (raw.length !== PRIVATE_KEY_LENGTH) {
    throw new TypeError('an X25519 private key is 32 bytes');
  }
  return subtle().importKey('pkcs8', concat(X25519_PKCS8_PREFIX, raw), { name: 'X25519' }, extractable, ['deriveBits']);
}

async function importPublicKey(raw) {
  if (raw.length !== ENCAPSULATED_KEY_LENGTH) {
    throw new TypeError('an X25519 public key is 32 bytes');
  }
  return subtle().importKey('raw', raw, { name: 'X25519' }, true, []);
}

/** DH(sk, pk) of RFC 9180 section 4.1; an all-zero output is refused (section 7.1.4). */
async function dh(privateKey, publicKeyRaw) {
  const shared = new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: await importPublicKey(publicKeyRaw) },
    privateKey, 256));
  if (shared.every((b) => b === 0)) {
    throw new TypeError('a Diffie-Hellman output of zero');
  }
  return shared;
}

/** The raw public key of an X25519 private key (a CryptoKey): DH with the base point. */
export async function publicKeyOf(privateKey) {
  return new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: await importPublicKey(BASE_POINT) }, privateKey, 256));
}

/** DeriveKeyPair(ikm) of RFC 9180 section 7.1.3 for X25519: `{ privateKey: raw bytes, publicKey: raw bytes }`. */
export async function deriveKeyPair(ikm) {
  const prk = await labeledExtract(KEM_SUITE_ID, new Uint8Array(0), 'dkp_prk', ikm);
  const privateKey = await labeledExpand(KEM_SUITE_ID, prk, 'sk', new Uint8Array(0), PRIVATE_KEY_LENGTH);
  return { privateKey, publicKey: await publicKeyOf(await importPrivateKey(privateKey)) };
}

async function extractAndExpand(dhOutput, kemContext) {
  const prk = await labeledExtract(KEM_SUITE_ID, new Uint8Array(0), 'eae_prk', dhOutput);
  return labeledExpand(KEM_SUITE_ID, prk, 'shared_secret', kemContext, NH);
}

/** The key schedule of section 5.1 in base mode: `{ key, baseNonce, exporterSecret }` as raw bytes. */
export async function keySchedule(sharedSecret, info) {
  const empty = new Uint8Array(0);
  const pskIdHash = await labeledExtract(HPKE_SUITE_ID, empty, 'psk_id_hash', empty);
  const infoHash = await labeledExtract(HPKE_SUITE_ID, empty, 'info_hash', info);
  const context = concat(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = await labeledExtract(HPKE_SUITE_ID, sharedSecret, 'secret', empty);
  return {
    keyScheduleContext: context,
    secret,
    key: await labeledExpand(HPKE_SUITE_ID, secret, 'key', context, NK),
    baseNonce: await labeledExpand(HPKE_SUITE_ID, secret, 'base_nonce', context, NN),
    exporterSecret: await labeledExpand(HPKE_SUITE_ID, secret, 'exp', context, NH),
  };
}

/** An encryption context (section 5.2): it numbers its own messages, so a nonce never repeats. */
export class HpkeContext {
  #key;
  #baseNonce;
  #exporterSecret;
  #sequence = 0;

  constructor(key, baseNonce, exporterSecret) {
    this.#key = key;
    this.#baseNonce = baseNonce;
    this.#exporterSecret = exporterSecret;
  }

  static async create(sharedSecret, info) {
    const schedule = await keySchedule(sharedSecret, info);
    const key = await subtle().importKey('raw', schedule.key, 'AES-GCM', false, ['encrypt', 'decrypt']);
    schedule.key.fill(0);
    return new HpkeContext(key, schedule.baseNonce, schedule.exporterSecret);
  }

  /** base_nonce XOR I2OSP(seq, Nn), for the context's own sequence number. */
  #nonce() {
    const nonce = this.#baseNonce.slice();
    const seq = i2osp(this.#sequence, NN);
    for (let i = 0; i < NN; i++) {
      nonce[i] ^= seq[i];
    }
    return nonce;
  }

  async seal(aad, plaintext) {
    const iv = this.#nonce();
    this.#sequence += 1;
    return new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: TAG_LENGTH * 8 },
      this.#key, plaintext));
  }

  async open(aad, ciphertext) {
    const iv = this.#nonce();
    let plaintext;
    try {
      plaintext = new Uint8Array(await subtle().decrypt(
        { name: 'AES-GCM', iv, additionalData: aad, tagLength: TAG_LENGTH * 8 }, this.#key, ciphertext));
    } catch {
      throw new HpkeOpenError();
    }
    this.#sequence += 1; // section 5.2: the receiver's sequence moves on only after a successful open
    return plaintext;
  }

  /** Export(exporter_context, L) of section 5.3. */
  async export(exporterContext, length) {
    return labeledExpand(HPKE_SUITE_ID, this.#exporterSecret, 'sec', exporterContext, length);
  }
}

/**
 * SetupBaseS(pkR, info) (section 5.1.1): `{ enc, context }`. The ephemeral private key is 32 bytes drawn
 * by `random(n)` (default: crypto.getRandomValues), so tests can replay a fixed one.
 */
export async function setupBaseS(recipientPublicKey, info, random = randomBytes) {
  const ephemeralRaw = random(PRIVATE_KEY_LENGTH);
  const ephemeral = await importPrivateKey(ephemeralRaw);
  ephemeralRaw.fill(0);
  const enc = await publicKeyOf(ephemeral);
  const sharedSecret = await extractAndExpand(await dh(ephemeral, recipientPublicKey), concat(enc, recipientPublicKey));
  return { enc, context: await HpkeContext.create(sharedSecret, info) };
}

/**
 * SetupBaseR(enc, skR, info) (section 5.1.1). `recipient` is `{ privateKey: CryptoKey, publicKey: raw }`.
 * Throws HpkeOpenError for an encapsulated key that cannot be used.
 */
export async function setupBaseR(enc, recipient, info) {
  let sharedSecret;
  try {
    sharedSecret = await extractAndExpand(await dh(recipient.privateKey, enc), concat(enc, recipient.publicKey));
  } catch {
    throw new HpkeOpenError();
  }
  return HpkeContext.create(sharedSecret, info);
}

/** Single-shot SealBase (section 6.1): `{ enc, ciphertext }`. */
export async function sealBase(recipientPublicKey, info, aad, plaintext, random = randomBytes) {
  const { enc, context } = await setupBaseS(recipientPublicKey, info, random);
  return { enc, ciphertext: await context.seal(aad, plaintext) };
}

/** Single-shot OpenBase (section 6.1); any failure is the same HpkeOpenError. */
export async function openBase(enc, recipient, info, aad, ciphertext) {
  if (enc.length !== ENCAPSULATED_KEY_LENGTH || ciphertext.length < TAG_LENGTH) {
    throw new HpkeOpenError();
  }
  const context = await setupBaseR(enc, recipient, info);
  return context.open(aad, ciphertext);
}

export function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

