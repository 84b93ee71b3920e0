// The online list and the display of lines, as the page reads the relay's notices.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeIncoming, describeOwn } from '../src/page/controller.js';
import { FingerprintPins } from '../src/page/pins.js';
import { Roster } from '../src/page/roster.js';

describe('Roster', () => {
  it('learns our effective name from the welcome, with the reason it differs', () => {
    const r = new Roster();
    assert.deepEqual(r.read('* you are alice; /help lists commands'), { welcome: { name: 'alice', reason: null } });
    assert.equal(r.self, 'alice');
    assert.deepEqual(r.read('* you are alice2 (alice is taken); /help lists commands'),
      { welcome: { name: 'alice2', reason: 'alice is taken' } });
    assert.deepEqual(r.read('* you are a_b (names are 1-32 letters, digits, _ - .); /help lists commands').welcome,
      { name: 'a_b', reason: 'names are 1-32 letters, digits, _ - .' });
    assert.equal(r.self, 'a_b');
  });

  it('follows joins and leaves', () => {
    const r = new Roster();
    r.read('* you are alice; /help lists commands');
    assert.deepEqual(r.read('* bob joined'), { changed: true });
    r.read('* Carol.x joined');
    assert.deepEqual(r.names, ['alice', 'bob', 'Carol.x']);
    r.read('* bob left');
    assert.deepEqual(r.names, ['alice', 'Carol.x']);
    assert.equal(r.read('bob: * dave joined'), null, 'a message is not a notice');
    assert.equal(r.read('* dave joined the fun'), null);
    assert.deepEqual(r.names, ['alice', 'Carol.x']);
  });

  it('replaces the list with a /who answer, also one spread over several notices', () => {
    const r = new Roster();
    r.read('* you are alice; /help lists commands');
    r.read('* ghost joined');
    assert.deepEqual(r.read('* online (2): alice, bob'), { changed: true });
    assert.deepEqual(r.names, ['alice', 'bob']);
    assert.equal(r.read('* online (5): alice, bob, carol'), null, 'not all names yet');
    assert.deepEqual(r.read('* dave joined'), { changed: true }, 'a notice between the parts is still read');
    assert.deepEqual(r.read('* dave, guest-1'), { changed: true });
    assert.deepEqual(r.names, ['alice', 'bob', 'carol', 'dave', 'guest-1']);
    assert.equal(r.read('* eve, frank'), null, 'names without a listing are not a listing');
  });

  it('forgets everything on clear', () => {
    const r = new Roster();
    r.read('* you are alice; /help lists commands');
    r.clear();
    assert.equal(r.self, null);
    assert.deepEqual(r.names, []);
  });
});

describe('lines as shown', () => {
  it('tells notices, messages and private messages apart', () => {
    assert.deepEqual(describeIncoming('* bob joined'), { kind: 'notice', sender: null, text: '* bob joined', mention: false });
    assert.deepEqual(describeIncoming('bob: hi: there'), { kind: 'message', sender: 'bob', text: 'hi: there', mention: false });
    assert.deepEqual(describeIncoming('bob (private): psst'), { kind: 'private', sender: 'bob (private)', text: 'psst', mention: false });
    assert.deepEqual(describeIncoming('a guest line'), { kind: 'message', sender: null, text: 'a guest line', mention: false });
  });

  it('marks our own messages, private ones with their recipient, and leaves commands to the relay', () => {
    assert.deepEqual(describeOwn('hello'), { kind: 'own', sender: 'you', text: 'hello', mention: false });
    assert.deepEqual(describeOwn('/msg bob hi there'), { kind: 'own-private', sender: 'you → bob (private)', text: 'hi there', mention: false });
    assert.deepEqual(describeOwn('  /MSG   bob   hi '), { kind: 'own-private', sender: 'you → bob (private)', text: 'hi', mention: false });
    assert.equal(describeOwn('/msg bob'), null, 'the relay answers with its usage');
    assert.equal(describeOwn('/who'), null);
    assert.equal(describeOwn('/quit'), null);
  });
});

describe('FingerprintPins', () => {
  function memoryStorage() {
    const map = new Map();
    return { getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, String(v)), map };
  }

  it('pins on first use per origin, then matches or refuses, never overwriting', () => {
    const storage = memoryStorage();
    const pins = new FingerprintPins(storage, 'https://chat.example');
    assert.equal(pins.check('SHA256:aaa'), 'first_use');
    assert.equal(pins.check('SHA256:aaa'), 'match');
    assert.equal(pins.check('SHA256:bbb'), 'mismatch');
    assert.equal(pins.pinned, 'SHA256:aaa');
    assert.equal(new FingerprintPins(storage, 'http://localhost:8080').check('SHA256:bbb'), 'first_use');
  });
});
