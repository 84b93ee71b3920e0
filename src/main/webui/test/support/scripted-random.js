// A random source (`random(n)` → n bytes) that hands out the given hex bytes in order, so that a sealing
// draws a documented message id and ephemeral key (RFC 9180 and docs/PROTOCOL.md vectors).

import assert from 'node:assert/strict';

import { fromHex } from '../../src/protocol/bytes.js';

export function scripted(...hexParts) {
  let rest = fromHex(hexParts.join(''));
  const take = (n) => {
    assert.ok(n <= rest.length, 'the script has no more bytes');
    const out = rest.slice(0, n);
    rest = rest.slice(n);
    return out;
  };
  take.exhausted = () => rest.length === 0;
  return take;
}
