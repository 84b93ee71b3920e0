// The safety number two users compare (docs/PROTOCOL.md, "Safety number"; Java: crypto.SafetyNumber):
// Signal's numeric fingerprint, version 0, 5,200 iterations of SHA-512 over (u16 0 ‖ key ‖ name) then
// (hash ‖ key); each party's first 30 bytes as six 5-byte numbers mod 100,000; the smaller half first.

import { concat, utf8 } from '../bytes.js';

export const ITERATIONS = 5200;
const VERSION = Uint8Array.of(0, 0);

/** One party's 30 digits from its key bytes and stable identifier (bytes). */
export async function safetyNumberHalf(key, stableIdentifier, iterations = ITERATIONS) {
  let hash = concat(VERSION, key, stableIdentifier);
  for (let i = 0; i < iterations; i++) {
    hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-512', concat(hash, key)));
  }
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    for (let b = 0; b < 5; b++) {
      value = value * 256 + hash[chunk * 5 + b]; // 40 bits: exact in a Number
    }
    digits += String(value % 100_000).padStart(5, '0');
  }
  return digits;
}

export function combineHalves(local, remote) {
  return local <= remote ? local + remote : remote + local;
}

/** The 60 digits of two users (IdentityPublicKeys and names), either order giving the same. */
export async function safetyNumber(localName, localKey, remoteName, remoteKey) {
  return combineHalves(await safetyNumberHalf(localKey.bytes, utf8(localName)),
    await safetyNumberHalf(remoteKey.bytes, utf8(remoteName)));
}

/** Twelve groups of five separated by single spaces, as /verify prints them. */
export function grouped(digits) {
  return digits.match(/.{5}/g).join(' ');
}
