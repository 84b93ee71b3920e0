// The proof, in a v2 handshake, that the client holds the identity key it names (docs/PROTOCOL.md,
// "Identity proof"; Java: protocol.e2e.IdentityProof): Ed25519 over
//   SHA-256(ascii("ciphergram v2 identity") ‖ cookie[16] ‖ client_nonce[32] ‖ u16 key_len ‖ RSA SPKI
//           ‖ u8 name_len ‖ name ‖ identity key[32])
// The page signs it for its KeyOffer; the server verifies it.

import { concat, utf8 } from '../bytes.js';

export const IDENTITY_LABEL = 'ciphergram v2 identity';

export async function identityProofHash(cookie, clientNonce, clientPublicKey, name, identity) {
  const nameUtf8 = utf8(name);
  if (cookie.length !== 16 || clientNonce.length !== 32) {
    throw new TypeError('a cookie is 16 bytes and a client nonce 32');
  }
  if (clientPublicKey.length > 0xffff || nameUtf8.length > 0xff) {
    throw new TypeError('the key or the name is too long for its length field');
  }
  const keyLength = Uint8Array.of(clientPublicKey.length >> 8, clientPublicKey.length & 0xff);
  const input = concat(utf8(IDENTITY_LABEL), cookie, clientNonce, keyLength, clientPublicKey,
    Uint8Array.of(nameUtf8.length), nameUtf8, identity.bytes);
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
}

/** The page's side: `{ identity, signature }` for its KeyOffer (encodeIdentityExtension). */
export async function signIdentityProof(identityKeyPair, cookie, clientNonce, clientPublicKey, name) {
  const hash = await identityProofHash(cookie, clientNonce, clientPublicKey, name, identityKeyPair.publicKey);
  return { identity: identityKeyPair.publicKey, signature: await identityKeyPair.sign(hash) };
}

export async function verifyIdentityProof(extension, cookie, clientNonce, clientPublicKey, name) {
  let hash;
  try {
    hash = await identityProofHash(cookie, clientNonce, clientPublicKey, name, extension.identity);
  } catch {
    return false;
  }
  return extension.identity.verify(hash, extension.signature);
}
