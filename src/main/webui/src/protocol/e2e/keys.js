// Identities and prekeys (docs/PROTOCOL.md, "End-to-end messages"; Java: crypto.IdentityPublicKey,
// IdentityKeyPair, SignedPrekey, PrekeyPair): an Ed25519 identity key, carried as its 32 raw bytes, and
// X25519 prekeys signed by it over ascii("ciphergram v2 prekey") ‖ u32 id ‖ public key ‖ u64 created_ms.
// Private keys are CryptoKeys, non-extractable unless the caller asks for a backup (page/key-store.js).

import { concat, u32, u64, utf8 } from '../bytes.js';
import { fingerprint } from '../identity.js';
import { importPrivateKey, publicKeyOf, randomBytes } from './hpke.js';

const subtle = () => globalThis.crypto.subtle;

export const IDENTITY_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const KEY_ID_LENGTH = 8;
export const PREKEY_PUBLIC_KEY_LENGTH = 32;
export const PREKEY_LABEL = 'ciphergram v2 prekey';

/** SubjectPublicKeyInfo DER for Ed25519: this prefix, then the 32 key bytes (RFC 8410 section 4). */
const ED25519_SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);
/** PKCS#8 of an Ed25519 key (RFC 8410 section 7): this prefix, then the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
  0x04, 0x22, 0x04, 0x20);

/**
 * Encodings of the points of small order (and the unreduced y = p), which the Java side refuses as
 * identity keys. WebCrypto cannot check that a point is in the prime-order subgroup, so a key of mixed
 * order passes here; only its own holder could make one, and it gains nothing over its own name.
 */
const WEAK_KEYS = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
]);

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether two byte strings are equal, looking at every byte whatever the first difference. */
export function sameBytes(a, b) {
  if (a.length !== b.length) {
    return false;
  }
  let difference = 0;
  for (let i = 0; i < a.length; i++) {
    difference |= a[i] ^ b[i];
  }
  return difference === 0;
}

/** A user's public identity: verifies its signatures, is pinned, and is compared by its fingerprint. */
export class IdentityPublicKey {
  #raw;
  #key;

  /** Use IdentityPublicKey.of. */
  constructor(raw, key, fingerprintText, keyId) {
    this.#raw = raw;
    this.#key = key;
    this.fingerprint = fingerprintText;
    this.keyId = keyId;
    Object.freeze(this);
  }

  /** The identity key with these 32 raw bytes; throws a TypeError if they cannot be one. */
  static async of(raw) {
    if (!(raw instanceof Uint8Array) || raw.length !== IDENTITY_KEY_LENGTH || WEAK_KEYS.has(hex(raw))) {
      throw new TypeError('not a usable Ed25519 public key');
    }
    let key;
    try {
      key = await subtle().importKey('raw', raw, { name: 'Ed25519' }, true, ['verify']);
    } catch {
      throw new TypeError('not a usable Ed25519 public key');
    }
    const spki = concat(ED25519_SPKI_PREFIX, raw);
    const printed = await fingerprint(spki);
    const digest = new Uint8Array(await subtle().digest('SHA-256', spki));
    return new IdentityPublicKey(raw.slice(), key, printed, digest.slice(0, KEY_ID_LENGTH));
  }

  get bytes() {
    return this.#raw.slice();
  }

  get subjectPublicKeyInfo() {
    return concat(ED25519_SPKI_PREFIX, this.#raw);
  }

  /** Whether `signature` is this key's Ed25519 signature over `message`; anything malformed is false. */
  async verify(message, signature) {
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) {
      return false;
    }
    try {
      return await subtle().verify({ name: 'Ed25519' }, this.#key, signature, message);
    } catch {
      return false;
    }
  }

  equals(other) {
    return other instanceof IdentityPublicKey && sameBytes(this.#raw, other.#raw);
  }

  toString() {
    return `IdentityPublicKey[Ed25519 ${this.fingerprint}]`;
  }
}

/** A user's identity: the Ed25519 signing key (a CryptoKey) and its public half. */
export class IdentityKeyPair {
  #privateKey;

  constructor(privateKey, publicKey) {
    this.#privateKey = privateKey;
    this.publicKey = publicKey;
    Object.freeze(this);
  }

  /** A new identity. `extractable` only for the moment a backup is written (page/key-store.js). */
  static async generate({ extractable = false } = {}) {
    const pair = await subtle().generateKey({ name: 'Ed25519' }, extractable, ['sign', 'verify']);
    const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
    return new IdentityKeyPair(pair.privateKey, await IdentityPublicKey.of(raw));
  }

  /** The identity whose RFC 8032 seed is these 32 bytes; the seed is zeroed once imported. */
  static async fromPrivateKeyBytes(seed, { extractable = false } = {}) {
    if (seed.length !== 32) {
      throw new TypeError('an Ed25519 private key is 32 bytes');
    }
    const pkcs8 = concat(ED25519_PKCS8_PREFIX, seed);
    try {
      // The public half is not in PKCS#8; WebCrypto gives it (JWK "x") only for an extractable key.
      const once = await subtle().importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
      const { x } = await subtle().exportKey('jwk', once);
      const raw = Uint8Array.from(atob(x.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const privateKey = extractable ? once : await subtle().importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
      return new IdentityKeyPair(privateKey, await IdentityPublicKey.of(raw));
    } finally {
      pkcs8.fill(0);
      seed.fill(0);
    }
  }

  /** The CryptoKey itself, for a store that keeps it (IndexedDB clones CryptoKeys, non-extractable ones too). */
  get privateKey() {
    return this.#privateKey;
  }

  async sign(message) {
    return new Uint8Array(await subtle().sign({ name: 'Ed25519' }, this.#privateKey, message));
  }

  /** The 32-byte seed, only from an extractable key (a backup being written); throws otherwise. */
  async privateKeyBytes() {
    const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', this.#privateKey));
    try {
      if (pkcs8.length !== ED25519_PKCS8_PREFIX.length + 32 || !sameBytes(pkcs8.subarray(0, ED25519_PKCS8_PREFIX.length), ED25519_PKCS8_PREFIX)) {
        throw new TypeError('unexpected PKCS#8 form of an Ed25519 key');
      }
      return pkcs8.slice(ED25519_PKCS8_PREFIX.length);
    } finally {
      pkcs8.fill(0);
    }
  }

  toString() {
    return `IdentityKeyPair[Ed25519 ${this.publicKey.fingerprint}, private half redacted]`;
  }
}

/** label ‖ u32 id ‖ X25519 public key ‖ u64 created_ms: the 64 bytes an identity signs for a prekey. */
export function signedPrekeyMessage(id, publicKey, createdMillis) {
  return concat(utf8(PREKEY_LABEL), u32(id), publicKey, u64(createdMillis));
}

/** The public half of a prekey, as a key bundle carries it. */
export class SignedPrekey {
  constructor(id, createdMillis, publicKey, signature) {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new TypeError('a prekey id is a u32');
    }
    if (publicKey.length !== PREKEY_PUBLIC_KEY_LENGTH || signature.length !== SIGNATURE_LENGTH) {
      throw new TypeError('an X25519 public key is 32 bytes and a signature 64');
    }
    this.id = id;
    this.createdMillis = createdMillis;
    this.publicKey = publicKey.slice();
    this.signature = signature.slice();
    Object.freeze(this);
  }

  /** Whether `identity` (an IdentityPublicKey) signed this prekey's id, key and creation time. */
  async verifiedBy(identity) {
    return identity.verify(signedPrekeyMessage(this.id, this.publicKey, this.createdMillis), this.signature);
  }
}

/** A prekey its owner holds: the X25519 private half (a CryptoKey) and the signed public half. */
export class PrekeyPair {
  constructor(privateKey, signedPrekey) {
    this.privateKey = privateKey;
    this.signedPrekey = signedPrekey;
    Object.freeze(this);
  }

  get id() {
    return this.signedPrekey.id;
  }

  get createdMillis() {
    return this.signedPrekey.createdMillis;
  }

  /** For HPKE's SetupBaseR: `{ privateKey, publicKey }`. */
  get recipient() {
    return { privateKey: this.privateKey, publicKey: this.signedPrekey.publicKey };
  }

  /** A new prekey from 32 bytes of `random`, signed by `identity` (an IdentityKeyPair). */
  static async generate(identity, id, createdMillis, { random = randomBytes, extractable = false } = {}) {
    const raw = random(32);
    try {
      return await PrekeyPair.restore(identity, id, createdMillis, raw, { extractable });
    } finally {
      raw.fill(0);
    }
  }

  /** The prekey with this private half, signed again (Ed25519 is deterministic: the same signature). */
  static async restore(identity, id, createdMillis, privateHalf, { extractable = false } = {}) {
    const privateKey = await importPrivateKey(privateHalf, extractable);
    const publicKey = await publicKeyOf(privateKey);
    const signature = await identity.sign(signedPrekeyMessage(id, publicKey, createdMillis));
    return new PrekeyPair(privateKey, new SignedPrekey(id, createdMillis, publicKey, signature));
  }
}
