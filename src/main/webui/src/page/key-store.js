// The page's identity and its contacts' pins (docs/PROTOCOL.md, "Client-side stores"; Java: cli.IdentityFile,
// cli.KnownUsers), kept in IndexedDB. No DOM, and nothing here touches the views.
//
// Keys are WebCrypto CryptoKeys, non-extractable: IndexedDB stores them as they are (structured clone), so
// no script, this page's included, can ever read their bytes back out. A backup therefore cannot be made
// from them later. It is made once, at creation: the identity is generated extractable, its 32-byte seed
// is encrypted under a key derived from the user's backup passphrase (PBKDF2-SHA256, 600,000 iterations,
// AES-256-GCM), that ciphertext is stored, and the key is imported again non-extractable and the seed
// zeroed. Exporting a backup later needs the passphrase again (it is checked by decrypting) and writes the
// stored ciphertext with the pins, encrypted the same way; importing one decrypts the seed once, imports
// it non-extractable and makes a new prekey. So the private key exists outside a CryptoKey only at those
// three moments and only with the passphrase; a script that later runs in the page can use the key (as it
// could any key it can reach) but cannot copy it. An identity created without a passphrase can never
// leave this browser profile. Prekeys are never backed up: a restored identity makes a new one, and what
// was sealed to the old ones stays closed (forward secrecy).
//
// `records` is any `{ get(key), put(key, value), delete(key) }` of promises: openIndexedDbRecords() below
// for the page, a Map that clones like IndexedDB in the node tests.

import { IdentityKeyPair, IdentityPublicKey, PrekeyPair, SignedPrekey, sameBytes } from '../protocol/e2e/keys.js';
import { planRotation } from '../protocol/e2e/prekey-rotation.js';
import { ReplayCache } from '../protocol/e2e/replay-cache.js';
import { randomBytes } from '../protocol/e2e/hpke.js';

const subtle = () => globalThis.crypto.subtle;

export const BACKUP_FORMAT = 'ciphergram-identity-backup';
export const BACKUP_VERSION = 1;
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about half a second on a laptop, once per backup. */
export const PBKDF2_ITERATIONS = 600_000;
/** An imported backup may ask for more (a future default) but not absurdly more: it would hang the page. */
const MAX_ITERATIONS = 10_000_000;
const MIN_ITERATIONS = 100_000;
const SALT_LENGTH = 16;
const IV_LENGTH = 12;
const AAD_IDENTITY = 'ciphergram backup v1 identity';
const AAD_PINS = 'ciphergram backup v1 pins';

export const Trust = Object.freeze({ FIRST_USE: 'FIRST_USE', MATCH: 'MATCH', CHANGED: 'CHANGED' });

/** A backup that cannot be used: wrong passphrase, damaged, or another format. One error, no detail of the key. */
export class BackupError extends Error {
  constructor(problem) {
    super(problem);
    this.name = 'BackupError';
  }
}

const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text) => {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new BackupError('the backup is damaged');
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
};

async function passphraseKey(passphrase, salt, iterations) {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new TypeError('a backup needs a passphrase');
  }
  const material = await subtle().importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material,
    { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

async function encryptSection(key, label, plaintext, random) {
  const iv = random(IV_LENGTH);
  const ciphertext = new Uint8Array(await subtle().encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(label) }, key, plaintext));
  return { iv: toBase64(iv), ciphertext: toBase64(ciphertext) };
}

async function decryptSection(key, label, section) {
  try {
    return new Uint8Array(await subtle().decrypt(
      { name: 'AES-GCM', iv: fromBase64(section.iv), additionalData: new TextEncoder().encode(label) }, key,
      fromBase64(section.ciphertext)));
  } catch {
    throw new BackupError('wrong passphrase, or the backup is damaged');
  }
}

function checkKdf(kdf) {
  if (!kdf || kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256' || !Number.isInteger(kdf.iterations)
    || kdf.iterations < MIN_ITERATIONS || kdf.iterations > MAX_ITERATIONS) {
    throw new BackupError('the backup is damaged or of another format');
  }
  const salt = fromBase64(kdf.salt);
  if (salt.length !== SALT_LENGTH) {
    throw new BackupError('the backup is damaged');
  }
  return salt;
}

export class KeyStore {
  #records;
  #random;

  constructor(records, { random = randomBytes } = {}) {
    this.#records = records;
    this.#random = random;
  }

  /** The identity kept here, or null before the first create(). */
  async identity() {
    const stored = await this.#records.get('identity');
    if (!stored) {
      return null;
    }
    return new IdentityKeyPair(stored.privateKey, await IdentityPublicKey.of(stored.publicKey));
  }

  /** Whether an encrypted backup can be exported (the identity was made, or restored, with a passphrase). */
  async hasBackup() {
    return Boolean(await this.#records.get('backup'));
  }

  /**
   * Makes and keeps a new identity and its first prekey. With a `passphrase`, also the backup material
   * (see the top of this file). Refuses to replace an identity already kept.
   */
  async create({ passphrase = null, now }) {
    if (await this.#records.get('identity')) {
      throw new Error('an identity is already kept here: restoring a backup or deleting it is the user\'s decision');
    }
    let identity;
    if (passphrase === null) {
      identity = await IdentityKeyPair.generate();
    } else {
      const once = await IdentityKeyPair.generate({ extractable: true });
      const seed = await once.privateKeyBytes();
      try {
        const salt = this.#random(SALT_LENGTH);
        const key = await passphraseKey(passphrase, salt, PBKDF2_ITERATIONS);
        await this.#records.put('backup', {
          kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: PBKDF2_ITERATIONS, salt: toBase64(salt) },
          identity: await encryptSection(key, AAD_IDENTITY, seed, this.#random),
        });
        identity = await IdentityKeyPair.fromPrivateKeyBytes(seed);
      } finally {
        seed.fill(0);
      }
    }
    await this.#keep(identity, [await PrekeyPair.generate(identity, 1, now, { random: this.#random })]);
    return identity;
  }

  async #keep(identity, prekeys) {
    await this.#records.put('identity', { privateKey: identity.privateKey, publicKey: identity.publicKey.bytes });
    await this.#putPrekeys(prekeys);
  }

  async #putPrekeys(prekeys) {
    await this.#records.put('prekeys', prekeys.map((p) => ({
      id: p.id, createdMillis: p.createdMillis, publicKey: p.signedPrekey.publicKey, signature: p.signedPrekey.signature,
      privateKey: p.privateKey,
    })));
  }

  /** Every prekey held (PrekeyPairs), oldest first. */
  async prekeys() {
    const stored = (await this.#records.get('prekeys')) ?? [];
    return stored.map((p) => new PrekeyPair(p.privateKey, new SignedPrekey(p.id, p.createdMillis, p.publicKey, p.signature)))
      .sort((a, b) => a.createdMillis - b.createdMillis || a.id - b.id);
  }

  async currentPrekey() {
    const all = await this.prekeys();
    return all[all.length - 1];
  }

  /** Applies the rotation rule now; true when a new prekey was made (publish the new bundle). */
  async rotate(now) {
    const identity = await this.identity();
    const held = await this.prekeys();
    const plan = planRotation(held, now);
    if (!plan.newPrekeyDue && plan.delete.length === 0) {
      return false;
    }
    const next = held.filter((p) => !plan.delete.includes(p.id));
    if (plan.newPrekeyDue) {
      const id = held.reduce((max, p) => Math.max(max, p.id), 0) + 1;
      next.push(await PrekeyPair.generate(identity, id, now, { random: this.#random }));
    }
    await this.#putPrekeys(next);
    return plan.newPrekeyDue;
  }

  async #pins() {
    return (await this.#records.get('pins')) ?? {};
  }

  /** Checks the key (IdentityPublicKey) a contact presented; pins it on first use. `{ trust, pinned }`. */
  async check(name, presented) {
    const pins = await this.#pins();
    if (!Object.hasOwn(pins, name)) {
      pins[name] = presented.bytes;
      await this.#records.put('pins', pins);
      return { trust: Trust.FIRST_USE, pinned: presented };
    }
    const pinned = await IdentityPublicKey.of(pins[name]);
    return { trust: sameBytes(pins[name], presented.bytes) ? Trust.MATCH : Trust.CHANGED, pinned };
  }

  async pinned(name) {
    const pins = await this.#pins();
    return Object.hasOwn(pins, name) ? IdentityPublicKey.of(pins[name]) : null;
  }

  /** The user accepted `key` for `name` (/trust NAME). */
  async trust(name, key) {
    const pins = await this.#pins();
    pins[name] = key.bytes;
    await this.#records.put('pins', pins);
  }

  /** The replay cache, as last saved. */
  async replayCache(now) {
    const cache = new ReplayCache();
    const saved = await this.#records.get('replay');
    if (saved) {
      cache.restore(saved, now);
    }
    return cache;
  }

  async saveReplayCache(cache) {
    await this.#records.put('replay', cache.snapshot());
  }

  /** The encrypted backup as JSON text; throws BackupError for a wrong passphrase or when none can exist. */
  async exportBackup(passphrase) {
    const material = await this.#records.get('backup');
    if (!material) {
      throw new BackupError('this identity was made without a backup passphrase: it cannot leave this browser');
    }
    const key = await passphraseKey(passphrase, checkKdf(material.kdf), material.kdf.iterations);
    (await decryptSection(key, AAD_IDENTITY, material.identity)).fill(0); // the passphrase is the right one
    const pins = Object.fromEntries(Object.entries(await this.#pins()).map(([name, raw]) => [name, toBase64(raw)]));
    return JSON.stringify({
      format: BACKUP_FORMAT, version: BACKUP_VERSION, kdf: material.kdf, identity: material.identity,
      pins: await encryptSection(key, AAD_PINS, new TextEncoder().encode(JSON.stringify(pins)), this.#random),
    });
  }

  /**
   * Restores an identity and its pins from `exportBackup` text into this (empty) store, non-extractable,
   * with a new prekey (a random id, so that it is not mistaken for one of the old device's).
   */
  async importBackup(text, passphrase, { now }) {
    if (await this.#records.get('identity')) {
      throw new Error('an identity is already kept here');
    }
    let backup;
    try {
      backup = JSON.parse(text);
    } catch {
      throw new BackupError('not a Ciphergram identity backup');
    }
    if (!backup || backup.format !== BACKUP_FORMAT || backup.version !== BACKUP_VERSION || !backup.identity || !backup.pins) {
      throw new BackupError('not a Ciphergram identity backup');
    }
    const key = await passphraseKey(passphrase, checkKdf(backup.kdf), backup.kdf.iterations);
    const seed = await decryptSection(key, AAD_IDENTITY, backup.identity);
    if (seed.length !== 32) {
      throw new BackupError('the backup is damaged');
    }
    const pinsJson = await decryptSection(key, AAD_PINS, backup.pins);
    const identity = await IdentityKeyPair.fromPrivateKeyBytes(seed);
    const pins = {};
    for (const [name, raw] of Object.entries(JSON.parse(new TextDecoder().decode(pinsJson)))) {
      pins[name] = (await IdentityPublicKey.of(fromBase64(raw))).bytes;
    }
    const id = new DataView(this.#random(4).buffer).getUint32(0) >>> 1 || 1;
    await this.#records.put('backup', { kdf: backup.kdf, identity: backup.identity });
    await this.#records.put('pins', pins);
    await this.#keep(identity, [await PrekeyPair.generate(identity, id, now, { random: this.#random })]);
    return identity;
  }
}

/** The page's records: one IndexedDB object store, keys as given, values structured-cloned (CryptoKeys included). */
export function openIndexedDbRecords({ indexedDB = globalThis.indexedDB, name = 'ciphergram', store = 'keys' } = {}) {
  const opened = new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(store);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const run = (mode, work) => opened.then((db) => new Promise((resolve, reject) => {
    const transaction = db.transaction(store, mode);
    const request = work(transaction.objectStore(store));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  }));
  return {
    get: (key) => run('readonly', (s) => s.get(key)),
    put: (key, value) => run('readwrite', (s) => s.put(value, key)).then(() => undefined),
    delete: (key) => run('readwrite', (s) => s.delete(key)).then(() => undefined),
  };
}
