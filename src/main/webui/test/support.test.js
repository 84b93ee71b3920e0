// The page names a missing WebCrypto or Ed25519 plainly before trying to join.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { missingCrypto } from '../src/page/support.js';

describe('missingCrypto', () => {
  it('finds nothing missing in Node 20', async () => {
    assert.equal(await missingCrypto(), null);
  });

  it('names an insecure context, where there is no crypto.subtle', async () => {
    assert.match(await missingCrypto({ getRandomValues: () => {} }), /https/);
    assert.match(await missingCrypto(null), /https/);
  });

  it('names a WebCrypto without Ed25519', async () => {
    const noEd25519 = { subtle: { importKey: async () => { throw new DOMException('Unrecognized name', 'NotSupportedError'); } } };
    assert.match(await missingCrypto(noEd25519), /Ed25519/);
  });
});
