// Whether this browser can speak v2 at all, asked before joining, so that a missing piece is named
// plainly instead of looking like an unreachable server. WebCrypto exists only in secure contexts
// (https, or http on localhost), and Ed25519 arrived in it late (Chrome 137, Firefox 129, Safari 17).

/** The RFC 8032 section 7.1 TEST 1 public key as SubjectPublicKeyInfo DER: any valid key will do. */
const ED25519_TEST_KEY = Uint8Array.of(
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
  0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
  0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a);

/** Null when everything the client needs is there; otherwise a sentence saying what is missing. */
export async function missingCrypto(crypto = globalThis.crypto) {
  if (crypto?.subtle === undefined) {
    return 'This page cannot encrypt here: browsers offer WebCrypto only to pages served over https '
      + '(or from localhost). Open it with an https:// address.';
  }
  try {
    await crypto.subtle.importKey('spki', ED25519_TEST_KEY, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return 'This browser cannot check the server\'s Ed25519 signature (WebCrypto Ed25519 needs Chrome or '
      + 'Edge 137, Firefox 129 or Safari 17, or later). Please update it.';
  }
  return null;
}
