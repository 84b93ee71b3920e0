// The server's identity (docs/PROTOCOL.md, "Server identity and pinning", "Transcript hash and
// signature"; Java: Fingerprint, ServerIdentity.verify): an Ed25519 key sent as SubjectPublicKeyInfo
// DER, its signature over the transcript hash, and its fingerprint as OpenSSH prints them.

import { base64Unpadded } from './bytes.js';

const SIGNATURE_LENGTH = 64;

/** `SHA256:` and the unpadded base64 of SHA-256 over the SubjectPublicKeyInfo DER (43 characters). */
export async function fingerprint(subjectPublicKeyInfo, subtle = globalThis.crypto.subtle) {
  return `SHA256:${base64Unpadded(new Uint8Array(await subtle.digest('SHA-256', subjectPublicKeyInfo)))}`;
}

/**
 * Whether `signature` is the Ed25519 signature (RFC 8032 PureEdDSA) of the key in `subjectPublicKeyInfo`
 * over `message`. Anything malformed (a key that is not Ed25519, a signature of the wrong size) is false.
 */
export async function verifySignature(subjectPublicKeyInfo, message, signature, subtle = globalThis.crypto.subtle) {
  if (signature.length !== SIGNATURE_LENGTH) {
    return false;
  }
  try {
    const key = await subtle.importKey('spki', subjectPublicKeyInfo, { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
  } catch {
    return false;
  }
}
