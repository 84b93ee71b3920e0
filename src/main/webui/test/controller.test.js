// The page's behaviour without a DOM: joining, the fingerprint pinned per origin, the online list,
// own messages, errors in plain words, reconnecting with backoff, /quit, and a changed server key.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ChatController } from '../src/page/controller.js';
import { ChatClient } from '../src/protocol/client.js';
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

function harness({ limits = LIMITS, welcome, pinned = null, unreachable = 0 } = {}) {
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
    openLink: async () => {
      if (failures > 0) {
        failures--;
        throw new Error('connection refused');
      }
      const links = linkPair();
      let server = null;
      server = new FakeServer({ link: links.server, clock, identity, limits, welcome, onText: (t) => relayLike(server)(t) });
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
  it('joins, pins the fingerprint on first use, and fills the online list with /who', async () => {
    const h = await joined();
    assert.deepEqual(h.status(), { state: 'joined', text: 'Joined as alice.' });
    assert.equal(h.view.statuses[0].state, 'connecting');
    assert.deepEqual(h.view.joined, ['alice']);
    assert.equal(h.controller.name, 'alice');
    assert.equal(h.controller.fingerprint, identityFingerprint);
    assert.deepEqual(h.view.fingerprints, [{ fp: identityFingerprint, pinned: true }]);
    assert.equal(h.storage.get(PIN_KEY), identityFingerprint);
    assert.deepEqual(h.connections[0].server.texts, ['/who']);
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
    const shown = h.view.messages.length;
    assert.equal(h.controller.send('hello'), true);
    assert.equal(h.controller.send('/msg bob hi'), true);
    assert.equal(h.controller.send('/help'), true);
    await h.clock.advance(100);
    assert.deepEqual(h.connections[0].server.texts, ['/who', 'hello', '/msg bob hi', '/help']);
    assert.deepEqual(h.view.messages.slice(shown), [
      { kind: 'own', sender: 'you', text: 'hello' },
      { kind: 'own-private', sender: 'you → bob (private)', text: 'hi' },
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
