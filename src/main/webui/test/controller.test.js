// The page's behaviour without a DOM: joining, the fingerprint pinned per origin, the online list,
// own messages, errors in plain words, reconnecting with backoff, /quit, and a changed server key.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ChatController, describeIncoming, mentions } from '../src/page/controller.js';
import { ChatClient } from '../src/protocol/client.js';
import { decode } from '../src/protocol/codec.js';
import { fingerprint } from '../src/protocol/identity.js';
import { FakeClock } from './support/fake-clock.js';
import { FakeServer, LIMITS } from './support/fake-server.js';
import { linkPair } from './support/links.js';

const identity = await FakeServer.identity();
const identityFingerprint = await fingerprint(identity.publicKey);
const ORIGIN = 'http://localhost:8080';
const PIN_KEY = `ciphergram.pinned-server:${ORIGIN}`;

/** A relay in miniature: answers /who and /quit as the real one does, and keeps everything else. */
function relayLike(server) {
  return (text) => {
    if (text === '/who') {
      server.send('* online (2): alice, bob');
    } else if (text === '/quit') {
      server.send('* bye');
      server.close();
    }
  };
}

/** The wall clock the controller stamps lines with: 2024-05-06 07:08:00 UTC when the fake clock starts. */
const EPOCH = Date.UTC(2024, 4, 6, 7, 8, 0) - new FakeClock().now();

/** What an entry shows, without its time. */
const shown = ({ at, ...entry }) => entry;

function harness({ limits = LIMITS, welcome, welcomeOn, filter, pinned = null, unreachable = 0 } = {}) {
  const clock = new FakeClock();
  const storage = new Map(pinned === null ? [] : [[PIN_KEY, pinned]]);
  const view = { statuses: [], messages: [], rosters: [], fingerprints: [], joined: [], left: 0 };
  const connections = [];
  let failures = unreachable;
  class TrackedClient extends ChatClient {
    constructor(options) {
      super(options);
      clock.settleWith(() => this.settled());
    }
  }
  const controller = new ChatController({
    clock,
    origin: ORIGIN,
    storage: { getItem: (k) => (storage.has(k) ? storage.get(k) : null), setItem: (k, v) => storage.set(k, v) },
    Client: TrackedClient,
    wallClock: () => EPOCH + clock.now(),
    openLink: async () => {
      if (failures > 0) {
        failures--;
        throw new Error('connection refused');
      }
      const links = linkPair({ filter });
      let server = null;
      server = new FakeServer({
        link: links.server, clock, identity, limits, welcome, welcomeOn, onText: (t) => relayLike(server)(t),
        wallClock: () => EPOCH + clock.now(),
      });
      clock.settleWith(() => server.settled());
      connections.push({ links, server });
      return links.client;
    },
    view: {
      status: (s) => view.statuses.push(s),
      message: (m) => view.messages.push(m),
      roster: (names, self) => view.rosters.push({ names, self }),
      fingerprint: (fp, pinned) => view.fingerprints.push({ fp, pinned }),
      joined: (name) => view.joined.push(name),
      left: () => view.left++,
    },
  });
  return { clock, storage, view, connections, controller, status: () => view.statuses.at(-1) };
}

async function joined(options) {
  const h = harness(options);
  h.controller.join('alice');
  await h.clock.advance(100);
  return h;
}

describe('ChatController', () => {
  it('is joined only when the first message arrives, from a server that welcomes on the first record', async () => {
    let lost = 2; // the first two confirmation Pings
    const h = harness({
      welcomeOn: 'firstRecord',
      filter: (datagram, direction) => (direction === 'c2s' && decode(datagram).type === 'data' && lost-- > 0 ? 0 : 1),
    });
    h.controller.join('alice');
    await h.clock.advance(2_900);
    assert.deepEqual(h.status(), { state: 'connecting', text: 'Connecting…' });
    assert.deepEqual(h.view.joined, []);
    assert.equal(h.controller.send('too early'), false);
    assert.equal(h.view.fingerprints.length, 0, 'the fingerprint is shown once connected');
    await h.clock.advance(200); // the third Ping, 3 s after the keys
    assert.deepEqual(h.status(), { state: 'joined', text: 'Joined as alice.' });
    assert.deepEqual(h.view.joined, ['alice']);
    assert.deepEqual(h.connections[0].server.events, ['hello', 'keyOffer', 'ping']);
    assert.deepEqual(h.connections[0].server.texts, ['/who', '/rooms'], '/who only after the welcome');
    assert.deepEqual(h.view.rosters.at(-1), { names: ['alice', 'bob'], self: 'alice' });
  });

  it('stamps every line with the time it arrived or was sent', async () => {
    const h = await joined();
    await h.clock.advance(90_000);
    h.controller.send('later');
    const times = h.view.messages.map((m) => m.at.toISOString());
    assert.deepEqual(times.slice(0, 2), ['2024-05-06T07:08:00.000Z', '2024-05-06T07:08:00.000Z']);
    assert.equal(times.at(-1), '2024-05-06T07:09:30.100Z');
  });

  it('marks a room message that names us as a mention, never a notice, a private or our own line', async () => {
    const h = await joined();
    const server = h.connections[0].server;
    ['bob: hi Alice!', 'bob: malice', '* alice joined', 'bob (private): alice?'].forEach((t) => server.send(t));
    await h.clock.advance(100);
    h.controller.send('alice here');
    assert.deepEqual(h.view.messages.slice(2).map((m) => [m.text, m.mention]), [
      ['hi Alice!', true], ['malice', false], ['* alice joined', false], ['alice?', false], ['alice here', false],
    ]);
  });

  it('joins, pins the fingerprint on first use, and fills the online list with /who', async () => {
    const h = await joined();
    assert.deepEqual(h.status(), { state: 'joined', text: 'Joined as alice.' });
    assert.equal(h.view.statuses[0].state, 'connecting');
    assert.deepEqual(h.view.joined, ['alice']);
    assert.equal(h.controller.name, 'alice');
    assert.equal(h.controller.fingerprint, identityFingerprint);
    assert.deepEqual(h.view.fingerprints, [{ fp: identityFingerprint, pinned: true }]);
    assert.equal(h.storage.get(PIN_KEY), identityFingerprint);
    assert.deepEqual(h.connections[0].server.texts, ['/who', '/rooms']);
    assert.deepEqual(h.view.rosters.at(-1), { names: ['alice', 'bob'], self: 'alice' });
    assert.deepEqual(h.view.messages.map((m) => m.text), ['* you are alice; /help lists commands', '* online (2): alice, bob']);
  });

  it('says plainly when the name was taken and which name it got', async () => {
    const h = await joined({ welcome: (name) => `* you are ${name}2 (${name} is taken); /help lists commands` });
    assert.deepEqual(h.status(), { state: 'joined', text: 'Joined as alice2 (the name alice is taken).' });
    assert.equal(h.controller.name, 'alice2');
  });

  it('shows its own messages, private ones with the recipient, and not the commands', async () => {
    const h = await joined();
    const before = h.view.messages.length;
    assert.equal(h.controller.send('hello'), true);
    assert.equal(h.controller.send('/msg bob hi'), true);
    assert.equal(h.controller.send('/help'), true);
    await h.clock.advance(100);
    assert.deepEqual(h.connections[0].server.texts, ['/who', '/rooms', 'hello', '/msg bob hi', '/help']);
    assert.deepEqual(h.view.messages.slice(before).map(shown), [
      { kind: 'own', sender: 'you', text: 'hello', mention: false },
      { kind: 'own-private', sender: 'you → bob (private)', text: 'hi', mention: false },
    ]);
  });

  it('refuses a message over the server\'s limit with the reason, and stays joined', async () => {
    const h = await joined({ limits: { ...LIMITS, maxMessageBytes: 10 } });
    assert.equal(h.controller.send('x'.repeat(11)), false);
    assert.deepEqual(h.status(), {
      state: 'joined', text: 'Joined as alice. Message not sent: it is too long (11 bytes; the server accepts at most 10).',
    });
    assert.equal(h.controller.send('short'), true);
    assert.deepEqual(h.status(), { state: 'joined', text: 'Joined as alice.' });
  });

  it('refuses to join when the server key changed, sending nothing under its keys, and does not reconnect', async () => {
    const h = harness({ pinned: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    h.controller.join('alice');
    await h.clock.advance(60_000);
    assert.equal(h.status().state, 'error');
    assert.match(h.status().text, /identity key has CHANGED/);
    assert.match(h.status().text, /impersonating/);
    assert.match(h.status().text, new RegExp(identityFingerprint.replace(/[+/]/g, '\\$&')));
    assert.equal(h.connections.length, 1, 'no reconnect');
    assert.deepEqual(h.connections[0].server.texts, [], 'not even /who');
    assert.equal(h.connections[0].server.closedByClient, false, 'nothing sent under an untrusted server\'s keys');
    assert.deepEqual(h.view.fingerprints, [{ fp: identityFingerprint, pinned: false }]);
    assert.equal(h.storage.get(PIN_KEY), 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'the pin is kept');
    assert.equal(h.controller.send('hi'), false);
  });

  it('reads a mention as the name standing alone, ignoring case', () => {
    assert.equal(mentions('@alice: look', 'alice'), true);
    assert.equal(mentions('see you, ALICE.', 'alice'), true);
    assert.equal(mentions('alice2 is not me', 'alice'), false);
    assert.equal(mentions('alice.b is not me', 'alice'), false);
    assert.equal(mentions('a.b, you there?', 'a.b'), true);
    assert.equal(mentions('axb', 'a.b'), false, 'a dot in a name is a dot, not any character');
    assert.equal(mentions('anything', null), false);
    assert.deepEqual(describeIncoming('bob (private): alice?', 'alice'),
      { kind: 'private', sender: 'bob (private)', text: 'alice?', mention: false });
  });

  it('reconnects after the connection drops and rejoins under the same requested name', async () => {
    const h = await joined({ welcome: (name) => `* you are ${name}2 (${name} is taken); /help lists commands` });
    h.connections[0].links.client.drop();
    await h.clock.settle();
    assert.deepEqual(h.status(), {
      state: 'disconnected', text: 'The connection to the server was lost. Reconnecting in 0.5 s…',
    });
    await h.clock.advance(499);
    assert.equal(h.connections.length, 1);
    await h.clock.advance(101);
    assert.equal(h.connections.length, 2);
    assert.equal(h.status().state, 'joined');
    assert.deepEqual(h.view.joined, ['alice2', 'alice2'], 'asked for "alice" again, not "alice2"');
    assert.equal(h.view.statuses.filter((s) => s.text === 'Reconnecting…').length, 1);
  });

  it('backs off from 0.5 s, doubling up to 10 s, while the server is unreachable', async () => {
    const h = harness({ unreachable: 7 });
    h.controller.join('alice');
    await h.clock.advance(60_000);
    const waits = h.view.statuses.filter((s) => s.state === 'disconnected').map((s) => s.text);
    assert.deepEqual(waits, [0.5, 1, 2, 4, 8, 10, 10].map((d) => `The server is unreachable. Reconnecting in ${d} s…`));
    assert.equal(h.status().state, 'joined');
  });

  it('says why a browser that cannot take part cannot join, and does not try', async () => {
    const h = harness();
    h.controller.cannotJoin('This browser cannot check the server\'s Ed25519 signature.');
    h.controller.join('alice');
    await h.clock.advance(10_000);
    assert.deepEqual(h.status(), { state: 'error', text: 'This browser cannot check the server\'s Ed25519 signature.' });
    assert.equal(h.connections.length, 0);
  });

  it('after /quit shows that it left and does not reconnect', async () => {
    const h = await joined();
    h.controller.send('/quit');
    await h.clock.advance(100);
    assert.deepEqual(h.status(), { state: 'disconnected', text: 'You left the chat.' });
    assert.equal(h.view.messages.at(-1).text, '* bye');
    assert.equal(h.view.left, 1);
    await h.clock.advance(60_000);
    assert.equal(h.connections.length, 1);
    h.controller.join('alice');
    await h.clock.advance(100);
    assert.equal(h.status().state, 'joined', 'joining again by hand works');
  });
});

describe('ChatController, framed (docs/PROTOCOL.md, "App frames", "Rooms and history")', () => {
  const line = (id, text, { history = false, room = '#lobby', from = 'bob' } = {}) => ({
    type: 'line', id: (BigInt(Date.UTC(2026, 0, 1)) << 20n) + BigInt(id), timeMillis: Date.UTC(2026, 0, 1, 9, 30), history, private: false, room, from, text,
  });

  it('asks for the framed feature, and resumes from its room and last line after a drop', async () => {
    const h = await joined();
    const first = h.connections[0].server;
    assert.equal(first.offer.extensions.framed, true);
    assert.equal(first.offer.extensions.resume, null, 'nothing to resume on the first connection');
    first.send('* you are in #dev');
    first.sendFrame(line(41, 'before', { room: '#dev' }));
    first.sendFrame(line(42, 'last one seen', { room: '#dev' }));
    await h.clock.settle();
    assert.equal(h.controller.room, '#dev');
    h.connections[0].links.client.drop();
    await h.clock.advance(600);
    const second = h.connections[1].server;
    assert.deepEqual(second.offer.extensions.resume, { room: '#dev', lastLineId: (BigInt(Date.UTC(2026, 0, 1)) << 20n) + 42n });
    second.sendFrame(line(42, 'last one seen', { room: '#dev' })); // a relay that sends it again anyway
    second.sendFrame(line(43, 'missed while away', { room: '#dev' }));
    await h.clock.settle();
    const texts = h.view.messages.map((m) => m.text);
    assert.equal(texts.filter((t) => t === 'last one seen').length, 1, 'never a line twice');
    assert.ok(texts.includes('missed while away'));
  });

  it('shows history lines as history, with the relay\'s time, and a relay-readable private line as private', async () => {
    const h = await joined();
    const server = h.connections[0].server;
    server.sendFrame(line(7, 'said before alice came, alice', { history: true }));
    server.sendFrame(line(8, 'live, alice'));
    server.sendFrame({ type: 'line', id: 0n, timeMillis: Date.UTC(2026, 0, 1, 9, 31), history: false, private: true,
      room: '', from: 'carol', text: 'psst' });
    await h.clock.settle();
    const [earlier, live, privately] = h.view.messages.slice(-3);
    assert.deepEqual(shown(earlier), { kind: 'message', sender: 'bob', text: 'said before alice came, alice',
      mention: false, history: true });
    assert.equal(earlier.at.toISOString(), '2026-01-01T09:30:00.000Z');
    assert.deepEqual(shown(live), { kind: 'message', sender: 'bob', text: 'live, alice', mention: true });
    assert.deepEqual(shown(privately), { kind: 'private', sender: 'carol (private)', text: 'psst', mention: false });
  });

  it('lists the rooms from its own /rooms without showing the answer, and joins one with /join', async () => {
    const h = harness();
    h.controller.join('alice');
    await h.clock.advance(100);
    const server = h.connections[0].server;
    assert.ok(server.texts.includes('/rooms'));
    server.send('* rooms: #dev (2), #lobby (5)');
    await h.clock.settle();
    assert.ok(!h.view.messages.some((m) => m.text.startsWith('* rooms:')), 'the page asked: not shown');
    assert.equal(h.controller.joinRoom('#dev'), true);
    await h.clock.settle();
    assert.ok(server.texts.includes('/join #dev'));
    server.send('* you are in #dev');
    await h.clock.settle();
    assert.equal(h.controller.room, '#dev');
    assert.equal(server.texts.filter((t) => t === '/who').length, 2, 'the new room\'s people');
  });
});
