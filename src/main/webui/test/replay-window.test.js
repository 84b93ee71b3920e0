// The RFC 6479 replay window (docs/PROTOCOL.md, "Replay window"): each sequence once, 1984 behind the
// highest, nothing at or past 2^24 + 2^22, and checking never changes it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { REJECT_AFTER_MESSAGES, REPLAY_WINDOW_SIZE } from '../src/protocol/constants.js';
import { ReplayWindow } from '../src/protocol/replay-window.js';

describe('ReplayWindow', () => {
  it('accepts each sequence once, in any order', () => {
    const w = new ReplayWindow();
    for (const seq of [0, 2, 1, 64, 63, 65, 3000, 2999]) {
      assert.equal(w.wouldAccept(seq), true, `first ${seq}`);
      assert.equal(w.markSeen(seq), true);
      assert.equal(w.wouldAccept(seq), false, `again ${seq}`);
      assert.equal(w.markSeen(seq), false);
    }
    assert.equal(w.highestSeen, 3000);
  });

  it('keeps a window of exactly 1984 behind the highest accepted', () => {
    const w = new ReplayWindow();
    const top = 10_000;
    assert.equal(w.markSeen(top), true);
    assert.equal(w.wouldAccept(top - REPLAY_WINDOW_SIZE), true);
    assert.equal(w.wouldAccept(top - REPLAY_WINDOW_SIZE - 1), false);
    assert.equal(w.markSeen(top - REPLAY_WINDOW_SIZE - 1), false);
    assert.equal(w.markSeen(top - REPLAY_WINDOW_SIZE), true);
  });

  it('forgets marks as it slides, so numbers far ahead are new', () => {
    const w = new ReplayWindow();
    for (let seq = 0; seq < 200; seq++) {
      w.markSeen(seq);
    }
    assert.equal(w.markSeen(200 + 2048), true, 'a jump beyond the whole ring');
    for (const seq of [200 + 2048 - 64, 200 + 2048 - 1, 200 + 2047 - REPLAY_WINDOW_SIZE + 1]) {
      assert.equal(w.wouldAccept(seq), true, `${seq} was never seen`);
    }
    assert.equal(w.wouldAccept(100), false, 'too old');
  });

  it('uses both halves of each 64-bit word', () => {
    const w = new ReplayWindow();
    w.markSeen(31);
    assert.equal(w.wouldAccept(63), true);
    w.markSeen(63);
    assert.equal(w.wouldAccept(31), false);
    assert.equal(w.wouldAccept(32), true);
    assert.equal(w.wouldAccept(0), true);
  });

  it('refuses sequence numbers at or past the reject limit, and non-integers', () => {
    const w = new ReplayWindow();
    assert.equal(w.wouldAccept(REJECT_AFTER_MESSAGES - 1), true);
    assert.equal(w.wouldAccept(REJECT_AFTER_MESSAGES), false);
    assert.equal(w.markSeen(REJECT_AFTER_MESSAGES), false);
    assert.equal(w.wouldAccept(2 ** 60), false);
    assert.equal(w.wouldAccept(-1), false);
    assert.equal(w.wouldAccept(1.5), false);
  });

  it('does not move when only asked', () => {
    const w = new ReplayWindow();
    w.wouldAccept(5000);
    assert.equal(w.highestSeen, 0);
    assert.equal(w.markSeen(0), true);
  });
});
