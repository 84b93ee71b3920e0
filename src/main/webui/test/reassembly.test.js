// Fragmentation and reassembly (docs/PROTOCOL.md, "Reliable delivery": fragmentation, reassembly bound).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_FRAGMENT_PAYLOAD, MAX_MESSAGE } from '../src/protocol/constants.js';
import { Fragmenter } from '../src/protocol/fragmenter.js';
import { Reassembler } from '../src/protocol/reassembler.js';

function message(length, seed = 0) {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed) % 251);
}

describe('Fragmenter', () => {
  it('cuts 64 KiB into 58 fragments of 1136 bytes, the last shorter', () => {
    const fragments = new Fragmenter().split(message(MAX_MESSAGE));
    assert.equal(fragments.length, 58);
    assert.ok(fragments.slice(0, 57).every((f) => f.payload.length === MAX_FRAGMENT_PAYLOAD));
    assert.equal(fragments[57].payload.length, MAX_MESSAGE - 57 * MAX_FRAGMENT_PAYLOAD);
    assert.ok(fragments.every((f, i) => f.index === i && f.count === 58 && f.messageId === 0));
  });

  it('makes an empty message one empty fragment and numbers messages from 0', () => {
    const fragmenter = new Fragmenter();
    assert.deepEqual(fragmenter.split(new Uint8Array(0)), [{ messageId: 0, index: 0, count: 1, payload: new Uint8Array(0) }]);
    assert.equal(fragmenter.split(message(1136))[0].count, 1);
    assert.equal(fragmenter.split(message(1137))[1].messageId, 2);
  });

  it('refuses a message over 64 KiB', () => {
    assert.throws(() => new Fragmenter().split(message(MAX_MESSAGE + 1)), RangeError);
  });
});

describe('Reassembler', () => {
  it('rebuilds a message from fragments in any order, once', () => {
    const original = message(3000, 5);
    const fragments = new Fragmenter().split(original);
    const r = new Reassembler();
    assert.equal(r.accept(fragments[2]).outcome, 'stored');
    assert.equal(r.accept(fragments[0]).outcome, 'stored');
    assert.equal(r.accept(fragments[0]).outcome, 'duplicate');
    const done = r.accept(fragments[1]);
    assert.equal(done.outcome, 'completed');
    assert.deepEqual(done.message, original);
    assert.equal(r.heldBytes, 0);
    assert.equal(r.incompleteMessages, 0);
  });

  it('rejects fragments of the wrong size and counts that disagree', () => {
    const r = new Reassembler();
    assert.equal(r.accept({ messageId: 1, index: 0, count: 2, payload: message(1000) }).outcome, 'rejected_bad_size');
    assert.equal(r.accept({ messageId: 1, index: 1, count: 2, payload: message(0) }).outcome, 'rejected_bad_size');
    assert.equal(r.accept({ messageId: 1, index: 1, count: 2, payload: message(1137) }).outcome, 'rejected_bad_size');
    assert.equal(r.accept({ messageId: 1, index: 57, count: 58, payload: message(MAX_MESSAGE - 57 * 1136 + 1) }).outcome,
      'rejected_bad_size', 'over 64 KiB in all');
    assert.equal(r.accept({ messageId: 1, index: 0, count: 59, payload: message(1136) }).outcome, 'rejected_bad_size');
    assert.equal(r.accept({ messageId: 2, index: 0, count: 3, payload: message(1136) }).outcome, 'stored');
    assert.equal(r.accept({ messageId: 2, index: 1, count: 4, payload: message(1136) }).outcome, 'rejected_inconsistent_count');
    assert.equal(r.accept({ messageId: 2, index: 0, count: 1, payload: message(5) }).outcome, 'rejected_inconsistent_count');
  });

  it('holds at most 8 incomplete messages, evicting the oldest', () => {
    const r = new Reassembler();
    for (let id = 0; id < 9; id++) {
      r.accept({ messageId: id, index: 0, count: 2, payload: message(1136) });
    }
    assert.equal(r.incompleteMessages, 8);
    assert.equal(r.accept({ messageId: 0, index: 1, count: 2, payload: message(1) }).outcome, 'stored',
      'message 0 was evicted, so this starts it over');
    assert.equal(r.accept({ messageId: 8, index: 1, count: 2, payload: message(1) }).outcome, 'completed');
  });

  it('holds at most 128 KiB, evicting the oldest other message', () => {
    const r = new Reassembler();
    for (const id of [1, 2]) {
      for (let i = 0; i < 57; i++) {
        assert.equal(r.accept({ messageId: id, index: i, count: 58, payload: message(1136) }).outcome, 'stored');
      }
    }
    r.accept({ messageId: 3, index: 0, count: 3, payload: message(1136) });
    assert.equal(r.incompleteMessages, 3);
    assert.equal(r.heldBytes, 2 * 57 * 1136 + 1136);
    assert.equal(r.accept({ messageId: 3, index: 1, count: 3, payload: message(1136) }).outcome, 'stored');
    assert.equal(r.incompleteMessages, 2, 'message 1, the oldest, made room');
    assert.equal(r.heldBytes, 57 * 1136 + 2 * 1136);
    assert.equal(r.accept({ messageId: 1, index: 57, count: 58, payload: message(MAX_MESSAGE - 57 * 1136) }).outcome,
      'stored', 'message 1 starts over');
  });
});
