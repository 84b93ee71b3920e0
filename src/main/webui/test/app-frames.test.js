// The app-vectors block of docs/PROTOCOL.md ("App frames"), read from the document itself (Java:
// AppCodecTest checks the very same block): every app frame byte for byte both ways, the KeyOffer with the
// framed feature and resume up to its padding, and what the codecs refuse.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { fromHex, toHex } from '../src/protocol/bytes.js';
import { decode, encode } from '../src/protocol/codec.js';
import { AppFrameError, decodeAppFrame, encodeAppFrame, isAppFrame } from '../src/protocol/app-frames.js';
import { decodeExtensions, encodeExtensions } from '../src/protocol/key-offer-extensions.js';
import { utf8 } from '../src/protocol/bytes.js';

function docVectors() {
  const text = readFileSync(new URL('../../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
  const start = text.indexOf('```json app-vectors');
  assert.ok(start >= 0, 'docs/PROTOCOL.md has a ```json app-vectors block');
  const body = text.indexOf('\n', start) + 1;
  return JSON.parse(text.slice(body, text.indexOf('\n```', body)));
}

const vectors = docVectors();
const TIME = 1767225600000; // 2026-01-01T00:00Z
const ENVELOPE = fromHex('01016101620000000100');
const range = (from, n) => Uint8Array.from({ length: n }, (_, i) => from + i);

/** Each vector as the Java test builds it. */
const FRAMES = {
  line: { type: 'line', id: (1n << 20n) + 7n, timeMillis: TIME, history: false, private: false, room: '#lobby', from: 'alice',
    text: 'hello ✓' },
  history_line: { type: 'line', id: 42n, timeMillis: TIME, history: true, private: false, room: '#dev', from: 'bob',
    text: 'earlier' },
  private_line: { type: 'line', id: 0n, timeMillis: TIME, history: false, private: true, room: '', from: 'carol',
    text: 'psst' },
  notice: { type: 'notice', timeMillis: TIME, text: '* you are in #dev' },
  sealed: { type: 'sealed', timeMillis: TIME, stored: true, envelope: ENVELOPE },
  bundle_none: { type: 'bundle', name: 'dave', bundle: new Uint8Array(0) },
  seal: { type: 'seal', to: 'bob', envelope: ENVELOPE },
  get_bundle: { type: 'getBundle', name: 'bob' },
  publish_prekey: { type: 'publishPrekey', prekeyId: 2, createdMillis: TIME, publicKey: range(0xa0, 32),
    signature: range(0, 64) },
};

describe('app frames (docs/PROTOCOL.md, "App frames")', () => {
  it('the document lists exactly the frames this test builds', () => {
    assert.deepEqual(Object.keys(vectors.frames).sort(), Object.keys(FRAMES).sort());
  });

  for (const [name, frame] of Object.entries(FRAMES)) {
    it(`encodes and decodes ${name} as documented`, () => {
      const hex = vectors.frames[name];
      assert.equal(toHex(encodeAppFrame(frame)), hex);
      assert.deepEqual(decodeAppFrame(fromHex(hex)), frame);
      assert.ok(isAppFrame(fromHex(hex)));
    });
  }

  it('no text line is taken for a frame', () => {
    assert.equal(isAppFrame(utf8('* you are alice')), false);
    assert.equal(isAppFrame(utf8('alice: hi')), false);
    assert.equal(isAppFrame(new Uint8Array(0)), false);
  });

  it('refuses what does not decode exactly', () => {
    const bad = [
      '00', // unknown type
      '05', // unknown type
      '13',
      '0100', // truncated Line
      vectors.frames.get_bundle + '00', // a byte after the name
      '1100', // an empty name
      '1121' + '61'.repeat(33), // a name of 33
      '110461 20 6263'.replace(/ /g, ''), // a space inside a name
      vectors.frames.line.replace(/^(01.{32})00/, '$104'), // an unknown Line flag
      vectors.frames.sealed.replace(/^(03.{16})01/, '$103'), // an unknown Sealed flag
      vectors.frames.notice + 'ff', // not UTF-8
      vectors.frames.publish_prekey.slice(0, -2), // a short signature
      vectors.frames.publish_prekey + '00', // trailing byte
    ];
    for (const hex of bad) {
      assert.throws(() => decodeAppFrame(fromHex(hex)), AppFrameError, hex);
    }
    assert.throws(() => decodeAppFrame(utf8('alice: hi')), AppFrameError);
  });

  it('keeps line ids above 2^53 exact, as the relay makes them (clock << 20)', () => {
    const id = (BigInt(TIME) << 20n) + 1n;
    const next = decodeAppFrame(encodeAppFrame({ ...FRAMES.line, id: id + 1n }));
    assert.equal(decodeAppFrame(encodeAppFrame({ ...FRAMES.line, id })).id, id);
    assert.equal(next.id - id, 1n, 'neighbours stay apart');
    assert.equal(decodeExtensions(encodeExtensions({ resume: { room: '#dev', lastLineId: id } })).resume.lastLineId, id);
  });

  it('refuses to encode a name or room out of bounds', () => {
    assert.throws(() => encodeAppFrame({ type: 'getBundle', name: '' }), TypeError);
    assert.throws(() => encodeAppFrame({ type: 'getBundle', name: 'x'.repeat(33) }), TypeError);
    assert.throws(() => encodeAppFrame({ type: 'getBundle', name: 'é' }), TypeError);
    assert.throws(() => encodeAppFrame({ ...FRAMES.line, room: '#' + 'r'.repeat(33) }), TypeError);
  });
});

describe('KeyOffer extensions (docs/PROTOCOL.md, "KeyOffer extensions")', () => {
  const offer = (extensions) => encode({ type: 'keyOffer', cookie: new Uint8Array(16), clientNonce: new Uint8Array(32),
    clientPublicKey: Uint8Array.of(1, 2, 3), name: 'alice', extensions });

  it('a KeyOffer with framed and resume (#dev, 1048585) is the documented bytes up to its padding', () => {
    const expected = vectors.key_offer_extensions.hex;
    const wire = offer(encodeExtensions({ framed: true, resume: { room: '#dev', lastLineId: (1n << 20n) + 9n } }));
    assert.equal(wire.length, 1200);
    assert.equal(toHex(wire).slice(0, expected.length), expected);
    assert.ok(wire.subarray(expected.length / 2).every((b) => b === 0));
    const back = decode(wire);
    assert.equal(back.name, 'alice');
    assert.deepEqual(back.extensions, { identity: null, framed: true, resume: { room: '#dev', lastLineId: 1048585n },
      length: expected.length / 2 - 3 - 16 - 32 - 2 - 3 - 1 - 5 });
  });

  it('an unknown extension is skipped by its length; a repeated one is refused', () => {
    const ext = encodeExtensions({ framed: true, resume: { room: '#dev', lastLineId: 9n } });
    const unknown = Uint8Array.of(...ext, 0x7f, 2, 0xaa, 0xbb);
    assert.deepEqual(decodeExtensions(unknown).resume, { room: '#dev', lastLineId: 9n });
    assert.throws(() => decodeExtensions(Uint8Array.of(...ext, 2, 1, 1)), RangeError);
    assert.throws(() => decode(offer(Uint8Array.of(...ext, 2, 1, 1))));
  });

  it('carries the 98-byte identity extension first, and refuses a room that is not one', () => {
    const identity = Uint8Array.of(1, 96, ...range(0, 96));
    const ext = encodeExtensions({ identity, framed: true });
    assert.equal(toHex(ext.subarray(98)), '020101');
    assert.deepEqual(decodeExtensions(ext).identity, identity.subarray(2));
    assert.throws(() => encodeExtensions({ resume: { room: 'dev', lastLineId: 1 } }), TypeError);
    assert.throws(() => encodeExtensions({ resume: { room: '#' + 'd'.repeat(33), lastLineId: 1 } }), TypeError);
    assert.equal(encodeExtensions().length, 0);
  });
});
