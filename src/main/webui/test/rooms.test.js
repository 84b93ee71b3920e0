// The page's rooms: the current room from "* you are in #x", the cursor that a reconnect resumes from (no
// line twice), the panel's list from "* rooms: ..." answers, and the page's own /rooms questions: after
// the welcome, after joins and leaves at most every few seconds, now and then, their answers not shown.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LOBBY, MAX_LISTED, MIN_REFRESH_MS, PERIODIC_REFRESH_MS, Rooms } from '../src/page/rooms.js';
import { FakeClock } from './support/fake-clock.js';

function rooms() {
  const clock = new FakeClock();
  const sent = [];
  const shown = [];
  const r = new Rooms({ clock, send: (line) => sent.push(line), changed: (list, current) => shown.push({ list, current }) });
  return { clock, sent, shown, r };
}

describe('Rooms', () => {
  it('starts in #lobby and follows "* you are in #x"', () => {
    const { r, shown } = rooms();
    assert.equal(r.current, LOBBY);
    assert.equal(r.read('* you are in #dev'), 'moved');
    assert.equal(r.current, '#dev');
    assert.equal(shown.at(-1).current, '#dev');
    assert.equal(r.read('* you are in #DEV'), null, 'the same room, ignoring case');
    assert.equal(r.read('* you are alice; /help lists commands'), null);
    assert.equal(r.read('alice: * you are in #fake'), null);
  });

  it('keeps the last line id of the current room and refuses one it had', () => {
    const { r } = rooms();
    // ids as the relay makes them: its clock shifted left by 20 bits, far above 2^53
    const base = BigInt(Date.UTC(2026, 0, 1)) << 20n;
    assert.deepEqual(r.resume(), { room: '#lobby', lastLineId: 0n });
    assert.equal(r.line('#lobby', base + 5n), true);
    assert.equal(r.line('#lobby', base + 6n), true, 'a neighbour is a new line');
    assert.equal(r.line('#lobby', base + 7n), true);
    assert.equal(r.line('#lobby', base + 7n), false);
    assert.equal(r.line('#lobby', base + 6n), false);
    assert.deepEqual(r.resume(), { room: '#lobby', lastLineId: base + 7n });
    r.read('* you are in #dev');
    assert.deepEqual(r.resume(), { room: '#dev', lastLineId: 0n }, 'a new room: its history follows');
    assert.equal(r.line('#dev', 3n), true);
  });

  it('reads the list of rooms, bounded, and hides only the answers to its own questions', async () => {
    const { r, sent, shown, clock } = rooms();
    r.welcomed();
    assert.deepEqual(sent, ['/rooms']);
    assert.equal(r.read('* rooms: #dev (2), #lobby (5)'), 'hidden');
    assert.deepEqual(shown.at(-1).list, [{ name: '#dev', members: 2 }, { name: '#lobby', members: 5 }]);
    assert.equal(r.read('* rooms: #lobby (1)'), null, 'the user asked this one: shown');
    const many = Array.from({ length: 80 }, (_, i) => `#r${i} (1)`).join(', ');
    r.read(`* rooms: ${many}`);
    assert.equal(r.list.length, MAX_LISTED);
    await clock.advance(PERIODIC_REFRESH_MS);
    assert.deepEqual(sent, ['/rooms', '/rooms'], 'now and then');
  });

  it('asks again after joins and leaves, at most once every few seconds', async () => {
    const { r, sent, clock } = rooms();
    r.welcomed();
    r.somethingMoved();
    r.somethingMoved();
    await clock.advance(MIN_REFRESH_MS - 1);
    assert.equal(sent.length, 1);
    await clock.advance(1);
    assert.equal(sent.length, 2);
    for (let i = 0; i < 10; i++) {
      r.somethingMoved();
      await clock.advance(100);
    }
    assert.equal(sent.length, 2, 'ten joins within a second: no more questions yet');
    await clock.advance(MIN_REFRESH_MS);
    assert.equal(sent.length, 3);
  });

  it('asks nothing while disconnected', async () => {
    const { r, sent, clock } = rooms();
    r.welcomed();
    r.disconnected();
    r.somethingMoved();
    await clock.advance(PERIODIC_REFRESH_MS * 3);
    assert.deepEqual(sent, ['/rooms']);
  });
});
