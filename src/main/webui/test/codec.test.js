// Outer and inner frames decode exactly or not at all (docs/PROTOCOL.md, "Outer frames", "Inner frames").

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { concat, fromHex } from '../src/protocol/bytes.js';
import { decode, encode, isV2 } from '../src/protocol/codec.js';
import { MAX_FRAGMENT_PAYLOAD, MAX_SEQUENCE } from '../src/protocol/constants.js';
import { decodeReliable, encodeReliable } from '../src/protocol/reliable-codec.js';

const nonce = new Uint8Array(32).fill(1);
const cookie = new Uint8Array(16).fill(2);
const limits = { messagesPerSecond: 10, burst: 20, maxMessageBytes: 65_536, idleTimeoutSeconds: 180, keepaliveSeconds: 10 };
const reply = {
  type: 'keyReply', serverNonce: nonce, sessionId: new Uint8Array(8).fill(3), serverIdentityKey: new Uint8Array(44),
  wrappedSecret: new Uint8Array(256), limits, signature: new Uint8Array(64),
};

function rejects(datagram, reason = 'malformed_frame') {
  assert.throws(() => decode(datagram), { name: 'FrameError', reason });
}

describe('outer frames', () => {
  it('tells v2 by its first two bytes alone', () => {
    assert.equal(isV2(Uint8Array.of(0xff, 0x02, 0x05)), true);
    assert.equal(isV2(Uint8Array.of(0xff, 0x02)), false, 'needs a type byte');
    assert.equal(isV2(Uint8Array.of(0xff, 0x03, 0x01)), false, 'a later version is not v2');
    assert.equal(isV2(new TextEncoder().encode('SYN')), false);
  });

  it('round-trips every frame type', () => {
    const frames = [
      { type: 'hello', clientNonce: nonce },
      { type: 'retry', clientNonce: nonce, cookie },
      { type: 'keyOffer', cookie, clientNonce: nonce, clientPublicKey: new Uint8Array(294).fill(4), name: 'älice' },
      reply,
      { type: 'data', sessionId: new Uint8Array(8).fill(9), keyPhase: 255, sequence: 2 ** 24 + 5, ciphertext: new Uint8Array(16) },
    ];
    for (const frame of frames) {
      assert.deepEqual(decode(encode(frame)), frame);
    }
    assert.equal(encode(reply).length, 425, 'an RSA-2048 KeyReply is 425 bytes');
  });

  it('drops a datagram over 1200 bytes as oversize', () => {
    rejects(new Uint8Array(1201).fill(0xff), 'oversize');
  });

  it('drops what is not v2, an unknown type and a truncated frame', () => {
    rejects(Uint8Array.of(0x53, 0x59, 0x4e));
    rejects(Uint8Array.of(0xff, 0x02, 0x06, 0, 0));
    rejects(encode({ type: 'retry', clientNonce: nonce, cookie }).subarray(0, 50));
    rejects(encode(reply).subarray(0, 424));
  });

  it('drops bytes after the last field of an unpadded frame', () => {
    rejects(concat(encode({ type: 'retry', clientNonce: nonce, cookie }), Uint8Array.of(0)));
    rejects(concat(encode(reply), Uint8Array.of(0)));
  });

  it('drops a padded frame with nonzero padding or not exactly 1200 bytes', () => {
    const hello = encode({ type: 'hello', clientNonce: nonce });
    const dirty = hello.slice();
    dirty[1199] = 1;
    rejects(dirty);
    rejects(hello.subarray(0, 1199));
    rejects(hello.subarray(0, 35));
  });

  it('drops a length over its bound and a name that is not UTF-8', () => {
    const offer = encode({ type: 'keyOffer', cookie, clientNonce: nonce, clientPublicKey: Uint8Array.of(1), name: 'a' });
    const longKey = offer.slice();
    longKey.set([0x02, 0x59], 51); // key_len 601
    rejects(longKey);
    const badName = offer.slice();
    badName[55] = 0xc3; // "a" becomes a lone lead byte
    rejects(badName);
    const longReply = encode(reply);
    longReply.set([0x02, 0x59], 43); // id_len 601
    rejects(longReply);
  });

  it('drops a Data frame with fewer than 16 bytes after its header', () => {
    const data = encode({ type: 'data', sessionId: new Uint8Array(8), keyPhase: 0, sequence: 0, ciphertext: new Uint8Array(16) });
    assert.equal(decode(data).type, 'data');
    rejects(data.subarray(0, 35));
  });

  it('refuses to encode a field of the wrong size or a limit that does not fit', () => {
    assert.throws(() => encode({ type: 'hello', clientNonce: new Uint8Array(31) }), TypeError);
    assert.throws(() => encode({ type: 'keyOffer', cookie, clientNonce: nonce, clientPublicKey: Uint8Array.of(1), name: 'x'.repeat(129) }), TypeError);
    assert.throws(() => encode({ ...reply, limits: { ...limits, burst: 65_536 } }), TypeError);
  });
});

describe('inner frames', () => {
  const data = { type: 'data', sequence: 7, messageId: 3, fragmentIndex: 1, fragmentCount: 2, payload: Uint8Array.of(104, 105) };

  it('round-trips Data and Ack', () => {
    assert.deepEqual(decodeReliable(encodeReliable(data)), data);
    const ack = { type: 'ack', cumulative: 10, ranges: [{ first: 12, last: 13 }, { first: 20, last: 20 }] };
    const bytes = encodeReliable(ack);
    assert.equal(bytes.length, 6 + 4 * 2);
    assert.deepEqual(decodeReliable(bytes), ack);
    assert.deepEqual([...bytes.subarray(6)], [0, 2, 0, 2, 0, 6, 0, 1], 'gap from the cumulative, then from the previous end');
  });

  it('encodes the documented Data and Ack of the records vectors', () => {
    assert.deepEqual(encodeReliable({ type: 'data', sequence: 0, messageId: 0, fragmentIndex: 0, fragmentCount: 1,
      payload: new TextEncoder().encode('hello') }), fromHex('01000000000000000000000001000568656c6c6f'));
    assert.deepEqual(encodeReliable({ type: 'ack', cumulative: 1, ranges: [] }), fromHex('020000000100'));
  });

  function malformed(bytes, reason) {
    assert.throws(() => decodeReliable(bytes), { name: 'MalformedFrameError', reason });
  }

  it('refuses every non-canonical or out-of-bounds encoding', () => {
    const good = encodeReliable(data);
    malformed(new Uint8Array(0), 'empty');
    malformed(new Uint8Array(1153).fill(1), 'oversize');
    malformed(Uint8Array.of(0x03), 'unknown_type');
    malformed(good.subarray(0, 14), 'truncated');
    malformed(good.subarray(0, 16), 'truncated');
    malformed(concat(good, Uint8Array.of(0)), 'trailing_bytes');
    malformed(encodeWith(good, 9, [0, 2, 0, 2]), 'bad_fragment'); // index 2 of 2
    malformed(encodeWith(good, 9, [0, 0, 0, 0]), 'bad_fragment'); // count 0
    malformed(encodeWith(good, 11, [0, 59]), 'bad_fragment'); // over 58 fragments
    malformed(encodeWith(good, 1, [0xff, 0xff, 0xff, 0xff]), 'bad_range'); // sequence past MAX_SEQUENCE
    const tooLong = new Uint8Array(15 + MAX_FRAGMENT_PAYLOAD + 1);
    tooLong.set([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x71]);
    malformed(tooLong, 'payload_too_large');

    const ack = encodeReliable({ type: 'ack', cumulative: 0, ranges: [{ first: 2, last: 3 }] });
    malformed(ack.subarray(0, 5), 'truncated');
    malformed(ack.subarray(0, 9), 'truncated');
    malformed(concat(ack, Uint8Array.of(0)), 'trailing_bytes');
    malformed(encodeWith(ack, 6, [0, 0]), 'bad_range'); // zero gap
    malformed(encodeWith(ack, 8, [0, 0]), 'bad_range'); // zero length
    malformed(concat(Uint8Array.of(2, 0xff, 0xff, 0xff, 0xfe, 1), Uint8Array.of(0, 1, 0, 1)), 'bad_range'); // past the last sequence
    malformed(concat(Uint8Array.of(2, 0, 0, 0, 0, 33), new Uint8Array(33 * 4).fill(1)), 'too_many_ranges');
  });

  it('refuses to encode ranges that are not ascending and apart', () => {
    assert.throws(() => encodeReliable({ type: 'ack', cumulative: 5, ranges: [{ first: 5, last: 6 }] }), TypeError);
    assert.throws(() => encodeReliable({ type: 'ack', cumulative: 0, ranges: [{ first: 2, last: 3 }, { first: 4, last: 4 }] }), TypeError);
    assert.throws(() => encodeReliable({ type: 'ack', cumulative: MAX_SEQUENCE + 2, ranges: [] }), TypeError);
  });
});

function encodeWith(bytes, offset, values) {
  const out = bytes.slice();
  out.set(values, offset);
  return out;
}
