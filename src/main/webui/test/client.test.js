// ChatClient against a fake v2 server over an in-memory link, on a clock the tests move: the handshake
// and its retries, the trust decision, messages both ways through loss and duplication, 64 KiB
// messages, keepalive, idle and give-up failures, Close in both directions.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ChatClient, ChatError } from '../src/protocol/client.js';
import { decode, encode } from '../src/protocol/codec.js';
import { fingerprint } from '../src/protocol/identity.js';
import { FakeClock } from './support/fake-clock.js';
import { FakeServer, LIMITS } from './support/fake-server.js';
import { linkPair } from './support/links.js';

const identity = await FakeServer.identity();
const identityFingerprint = await fingerprint(identity.publicKey);

/** The outer frame type of a datagram: 'hello', 'keyOffer', 'data', ... */
function kind(datagram) {
  return decode(datagram).type;
}

function session({ filter, limits, onServerText, name = 'alice', welcomeOn } = {}) {
  const clock = new FakeClock();
  const links = linkPair({ filter });
  const server = new FakeServer({ link: links.server, clock, identity, limits, onText: onServerText, welcomeOn });
  const received = [];
  const closes = [];
  const client = new ChatClient({
    link: links.client, name, clock, onText: (text) => received.push(text), onClose: (e) => closes.push(e),
  });
  clock.settleWith(() => client.settled(), () => server.settled());
  return { clock, links, server, client, received, closes };
}

async function connected(options) {
  const s = session(options);
  s.fingerprint = await s.client.connect();
  await s.clock.advance(100);
  return s;
}

describe('ChatClient handshake', () => {
  it('joins, resolves with the server fingerprint, and hears the welcome', async () => {
    const { client, received, links } = await connected();
    assert.equal(client.state, 'open');
    assert.equal(client.fingerprint, identityFingerprint);
    assert.deepEqual(client.limits, LIMITS);
    assert.deepEqual(received, ['* you are alice; /help lists commands']);
    assert.deepEqual(links.sent.c2s.slice(0, 2).map(kind), ['hello', 'keyOffer']);
    assert.ok(links.sent.c2s.every((d) => d.length <= 1200));
  });

  it('asks the caller to trust the fingerprint before sending anything else', async () => {
    const s = session();
    let seen = null;
    const fp = await s.client.connect({
      trust: (presented) => {
        seen = { presented, sentSoFar: s.links.sent.c2s.map(kind) };
        return true;
      },
    });
    assert.equal(fp, identityFingerprint);
    assert.deepEqual(seen, { presented: identityFingerprint, sentSoFar: ['hello', 'keyOffer'] });
  });

  it('refused, it sends nothing under the server\'s keys, not even a Close, and reports untrusted', async () => {
    const s = session();
    await assert.rejects(s.client.connect({ trust: async () => false }), (e) => e instanceof ChatError
      && e.code === 'untrusted');
    await s.clock.advance(20_000);
    assert.deepEqual(s.links.sent.c2s.map(kind), ['hello', 'keyOffer']);
    assert.equal(s.server.closedByClient, false);
    assert.deepEqual(s.server.texts, []);
    assert.deepEqual(s.closes.map((e) => e.code), ['untrusted']);
    assert.equal(s.client.state, 'closed');
    assert.throws(() => s.client.sendText('hi'), { code: 'not_open' });
  });

  it('ignores KeyReplies that do not verify or unwrap, and completes with the genuine one', async () => {
    let held = null;
    const s = session({
      filter: (datagram, direction) => {
        if (direction === 's2c' && held === null && kind(datagram) === 'keyReply') {
          held = datagram;
          return 0;
        }
        return 1;
      },
    });
    const connecting = s.client.connect();
    await s.clock.settle();
    assert.ok(held !== null, 'the server answered');
    const offer = s.links.sent.c2s.find((d) => kind(d) === 'keyOffer');
    const inject = async (datagram) => {
      s.links.client.receivers.forEach((receive) => receive(datagram));
      await s.clock.settle();
      assert.equal(s.client.state, 'handshaking');
    };

    const tampered = held.slice();
    tampered[40] ^= 1; // in the session id: the signature no longer covers these bytes
    await inject(tampered);
    const otherRsa = await globalThis.crypto.subtle.generateKey({
      name: 'RSA-OAEP', modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256',
    }, true, ['encrypt', 'decrypt']);
    const wrongWrap = await s.server.keyReply(offer, {
      secret: new Uint8Array(32),
      wrapTo: new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', otherRsa.publicKey)),
    });
    await inject(wrongWrap.datagram); // signed by the genuine identity, but the secret is not ours to unwrap
    const shortSecret = await s.server.keyReply(offer, { secret: new Uint8Array(31) });
    await inject(shortSecret.datagram);
    await inject(Uint8Array.of(0xff, 0x02, 0x04, 1, 2, 3));

    s.links.client.receivers.forEach((receive) => receive(held)); // the genuine one completes it
    await s.clock.settle();
    assert.equal(s.client.state, 'confirming', 'keyed, but the welcome it was sent early came before its keys');
    await s.clock.advance(1000); // the server retransmits it
    assert.equal(await connecting, identityFingerprint);
    assert.equal(s.client.state, 'open');
  });

  it('ignores a Retry for another Hello and resends its Hello', async () => {
    let retries = 0;
    const s = session({
      filter: (datagram, direction) => (direction === 's2c' && kind(datagram) === 'retry' && retries++ === 0 ? 0 : 1),
    });
    const connecting = s.client.connect();
    await s.clock.settle();
    const foreign = encode({ type: 'retry', clientNonce: new Uint8Array(32).fill(7), cookie: new Uint8Array(16) });
    s.links.client.receivers.forEach((receive) => receive(foreign));
    await s.clock.settle();
    assert.deepEqual(s.links.sent.c2s.map(kind), ['hello'], 'no KeyOffer for a foreign Retry');
    await s.clock.advance(1000);
    assert.equal(await connecting, identityFingerprint);
    const hellos = s.links.sent.c2s.filter((d) => kind(d) === 'hello');
    assert.equal(hellos.length, 2);
    assert.deepEqual(hellos[0], hellos[1], 'the same Hello, sent again');
    assert.deepEqual(decode(s.links.sent.c2s.find((d) => kind(d) === 'keyOffer')).cookie, s.server.cookie);
  });

  it('resends the Hello each second and gives up as unreachable after the handshake timeout', async () => {
    const s = session({ filter: () => 0 });
    const connecting = s.client.connect();
    const outcome = connecting.then(() => 'connected', (e) => e.code);
    await s.clock.advance(9_999);
    assert.equal(s.client.state, 'handshaking');
    await s.clock.advance(1);
    assert.equal(await outcome, 'unreachable');
    assert.deepEqual(s.links.sent.c2s.map(kind), Array(10).fill('hello'));
    assert.deepEqual(s.closes.map((e) => e.code), ['unreachable']);
  });

  it('starts over with a new nonce and key when its KeyOffer goes unanswered', async () => {
    const s = session({ filter: (datagram, direction) => (direction === 'c2s' && kind(datagram) === 'keyOffer' ? 0 : 1) });
    const outcome = s.client.connect().then(() => 'connected', (e) => e.code);
    await s.clock.advance(3_000);
    const sent = s.links.sent.c2s.map((d) => decode(d));
    assert.deepEqual(sent.map((f) => f.type), ['hello', 'keyOffer', 'keyOffer', 'keyOffer', 'hello', 'keyOffer']);
    assert.notDeepEqual(sent[4].clientNonce, sent[0].clientNonce);
    assert.notDeepEqual(sent[5].clientPublicKey, sent[1].clientPublicKey, 'a fresh key pair per handshake');
    await s.clock.advance(10_000);
    assert.equal(await outcome, 'unreachable');
  });
});

describe('ChatClient key confirmation', () => {
  /** Drops the client's first `lost` records (the Pings), and records when each record was sent. */
  function losingFirstRecords(lost) {
    const times = [];
    let clock = null;
    const s = session({
      welcomeOn: 'firstRecord',
      filter: (datagram, direction) => {
        if (direction !== 'c2s' || kind(datagram) !== 'data') {
          return 1;
        }
        times.push(clock.now());
        return times.length <= lost ? 0 : 1;
      },
    });
    clock = s.clock;
    return { ...s, times };
  }

  it('sends a Ping at once after the handshake, the record that makes the session a member', async () => {
    const s = session({ welcomeOn: 'firstRecord' });
    assert.equal(await s.client.connect(), identityFingerprint);
    assert.equal(s.client.state, 'open');
    assert.deepEqual(s.server.events, ['hello', 'keyOffer', 'ping']);
    assert.deepEqual(s.received, ['* you are alice; /help lists commands']);
    const records = s.links.sent.c2s.filter((d) => kind(d) === 'data');
    assert.equal(records[0].length, 20 + 1 + 16, 'a Ping is one byte sealed');
  });

  it('resends the Ping after 1 s, 2 s and 4 s while they are lost, and is open only when the first message arrives', async () => {
    const s = losingFirstRecords(3);
    const outcome = s.client.connect().then(() => s.clock.now(), (e) => e.code);
    await s.clock.settle();
    const keyed = s.times[0];
    await s.clock.advance(6_999 - (s.clock.now() - keyed));
    assert.equal(s.client.state, 'confirming');
    assert.deepEqual(s.received, [], 'the server sends nothing before it hears a record');
    assert.throws(() => s.client.sendText('too early'), { code: 'not_open' });
    await s.clock.advance(1);
    assert.equal(await outcome, keyed + 7_000);
    assert.deepEqual(s.times.map((t) => t - keyed), [0, 1_000, 3_000, 7_000]);
    assert.deepEqual(s.received, ['* you are alice; /help lists commands']);
    await s.clock.advance(9_000);
    assert.equal(s.times.length, 4 + 1, 'no more confirmation Pings once open (one Ack of the welcome)');
  });

  it('meets a server that welcomes at once the same way: Ping first, open with the welcome', async () => {
    const s = session({ welcomeOn: 'keyOffer' });
    await s.client.connect();
    await s.clock.advance(5_000);
    assert.equal(s.server.events.filter((e) => e === 'ping').length, 1, 'one Ping: the welcome came at once');
    assert.equal(s.client.state, 'open');
  });

  it('gives up as unreachable, without a Close, when no message comes within 10 s', async () => {
    const s = losingFirstRecords(Infinity);
    const outcome = s.client.connect().then(() => 'connected', (e) => e.code);
    await s.clock.settle();
    const keyed = s.times[0];
    await s.clock.advance(9_999 - (s.clock.now() - keyed));
    assert.equal(s.client.state, 'confirming');
    await s.clock.advance(1);
    assert.equal(await outcome, 'unreachable');
    assert.deepEqual(s.times.map((t) => t - keyed), [0, 1_000, 3_000, 7_000], 'Pings only');
    assert.deepEqual(s.closes.map((e) => e.code), ['unreachable']);
    assert.equal(s.links.client.closed, true);
  });
});

describe('ChatClient session', () => {
  it('sends and receives text, and acks what it receives', async () => {
    const s = await connected();
    s.client.sendText('hello');
    s.client.sendText('héllo wörld ✓ 日本語');
    await s.clock.advance(100);
    assert.deepEqual(s.server.texts, ['hello', 'héllo wörld ✓ 日本語']);
    assert.deepEqual(s.received.slice(1), ['echo: hello', 'echo: héllo wörld ✓ 日本語']);
    assert.equal(s.client.allAcknowledged, true);
    assert.equal(s.server.channel.allAcknowledged, true, 'the client acknowledged the server\'s messages');
  });

  it('carries a 64 KiB message and a 3000-byte message whole in both directions', async () => {
    const big = 'x'.repeat(65_536 - 6);
    const mid = 'é'.repeat(1500);
    const s = await connected({ onServerText: () => {} });
    s.client.sendText(big);
    s.client.sendText(mid);
    s.server.send(`echo: ${big}`);
    s.server.send(mid);
    await s.clock.advance(500);
    assert.deepEqual(s.server.texts, [big, mid]);
    assert.equal(s.received.length, 3);
    assert.equal(s.received[1], `echo: ${big}`);
    assert.equal(s.received[2], mid);
    const dataRecords = s.links.sent.c2s.filter((d) => kind(d) === 'data');
    assert.ok(dataRecords.length >= 58 + 3, 'a 64 KiB message travels as 58 fragments');
    assert.ok(dataRecords.every((d) => d.length <= 1187));
  });

  it('refuses a message over the server\'s max_message_bytes before sending anything', async () => {
    const s = await connected({ limits: { ...LIMITS, maxMessageBytes: 100 } });
    const before = s.links.sent.c2s.length;
    assert.throws(() => s.client.sendText('é'.repeat(51)), (e) => e.code === 'too_long' && e.bytes === 102
      && e.max === 100);
    s.client.sendText('x'.repeat(100));
    await s.clock.advance(100);
    assert.deepEqual(s.server.texts, ['x'.repeat(100)]);
    assert.ok(s.links.sent.c2s.length > before);
  });

  it('retransmits a lost fragment on its timer, and it arrives once', async () => {
    let lossy = false;
    const s = await connected({ filter: (d, direction) => (lossy && direction === 'c2s' ? 0 : 1) });
    lossy = true;
    s.client.sendText('through loss');
    await s.clock.advance(500);
    assert.deepEqual(s.server.texts, []);
    lossy = false;
    await s.clock.advance(600); // the initial RTO is 1 s
    assert.deepEqual(s.server.texts, ['through loss']);
    await s.clock.advance(5_000);
    assert.deepEqual(s.server.texts, ['through loss']);
    assert.equal(s.client.allAcknowledged, true);
  });

  it('fast-retransmits a lost fragment once three later ones are acknowledged', async () => {
    let dropNextData = false;
    const s = await connected({
      filter: (d, direction) => {
        if (dropNextData && direction === 'c2s' && kind(d) === 'data') {
          dropNextData = false;
          return 0;
        }
        return 1;
      },
      onServerText: () => {},
    });
    dropNextData = true; // the first fragment of this 5-fragment message
    s.client.sendText('y'.repeat(1136 * 4 + 10));
    await s.clock.advance(150);
    assert.equal(s.server.texts.length, 1, 'recovered well before the 1 s timer');
  });

  it('takes duplicated datagrams in both directions idempotently, and drops a replayed record', async () => {
    const s = await connected({ filter: () => 2 });
    s.client.sendText('once');
    await s.clock.advance(200);
    assert.deepEqual(s.server.texts, ['once']);
    assert.deepEqual(s.received, ['* you are alice; /help lists commands', 'echo: once']);
    const firstRecord = s.links.sent.s2c.find((d) => kind(d) === 'data');
    s.links.client.receivers.forEach((receive) => receive(firstRecord));
    await s.clock.advance(200);
    assert.equal(s.received.length, 2);
    assert.equal(s.client.state, 'open');
  });

  it('pings after 10 s without sending, stays up while answered, and gives up after 180 s of silence', async () => {
    let deaf = false;
    const s = await connected({ filter: (d, direction) => (deaf && direction === 's2c' ? 0 : 1) });
    const sentBefore = s.links.sent.c2s.length;
    await s.clock.advance(10_000);
    assert.equal(s.links.sent.c2s.length, sentBefore + 1, 'one Ping');
    assert.equal(s.links.sent.c2s.at(-1).length, 20 + 1 + 16);
    await s.clock.advance(300_000);
    assert.equal(s.client.state, 'open', 'the server\'s answers keep it alive');
    deaf = true; // the last answer came at most 10 s ago
    await s.clock.advance(170_000);
    assert.equal(s.client.state, 'open');
    await s.clock.advance(10_001);
    assert.deepEqual(s.closes.map((e) => e.code), ['idle']);
  });

  it('gives up when the server stops acknowledging its messages', async () => {
    let deaf = false;
    const s = await connected({ filter: (d, direction) => (deaf && direction === 's2c' ? 0 : 1) });
    deaf = true;
    s.client.sendText('anyone?');
    await s.clock.advance(59_000);
    assert.equal(s.client.state, 'open');
    await s.clock.advance(2_000);
    assert.deepEqual(s.closes.map((e) => e.code), ['gave_up']);
    assert.equal(s.server.closedByClient, true, 'the end that notices closes the session');
  });

  it('ends when the server sends Close, and sends nothing after', async () => {
    const s = await connected();
    await s.server.close();
    await s.clock.settle();
    assert.deepEqual(s.closes.map((e) => e.code), ['server_closed']);
    assert.equal(s.links.client.closed, true);
    const sent = s.links.sent.c2s.length;
    await s.clock.advance(60_000);
    assert.equal(s.links.sent.c2s.length, sent);
    assert.throws(() => s.client.sendText('late'), { code: 'not_open' });
  });

  it('close() sends a Close the server sees, and reports closed', async () => {
    const s = await connected();
    await s.client.close();
    await s.clock.settle();
    assert.equal(s.server.closedByClient, true);
    assert.deepEqual(s.closes.map((e) => e.code), ['closed']);
  });

  it('reports link_closed when the transport goes away', async () => {
    const s = await connected();
    s.links.client.drop();
    await s.clock.settle();
    assert.deepEqual(s.closes.map((e) => e.code), ['link_closed']);
  });

  it('drops a message that is not UTF-8 and carries on', async () => {
    const s = await connected();
    s.server.channel.offer(Uint8Array.of(0xc3, 0x28));
    s.server.send('after');
    await s.clock.advance(100);
    assert.deepEqual(s.received.slice(1), ['after']);
    assert.equal(s.client.state, 'open');
  });
});

describe('ChatClient app frames and KeyOffer extensions', () => {
  it('puts the extensions it is given for this KeyOffer after the name, and hands app frames to onFrame', async () => {
    const clock = new FakeClock();
    const links = linkPair();
    const server = new FakeServer({ link: links.server, clock, identity });
    const frames = [];
    const texts = [];
    const asked = [];
    const client = new ChatClient({
      link: links.client, name: 'alice', clock, onText: (t) => texts.push(t), onFrame: (f) => frames.push(f),
      extensions: async (fields) => {
        asked.push(fields);
        return Uint8Array.of(2, 1, 1);
      },
    });
    clock.settleWith(() => client.settled(), () => server.settled());
    await client.connect();
    await clock.advance(100);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].name, 'alice');
    assert.equal(asked[0].cookie.length, 16);
    assert.equal(asked[0].clientNonce.length, 32);
    assert.equal(asked[0].clientPublicKey[0], 0x30, 'the SPKI DER the KeyOffer carries');
    assert.equal(server.offer.extensions.framed, true);
    assert.deepEqual(frames.map((f) => f.type), ['notice'], 'a framed session\'s welcome is a Notice frame');
    assert.equal(frames[0].text, '* you are alice; /help lists commands');
    server.send('* another notice');
    server.channel.offer(Uint8Array.of(0x05, 1, 2)); // an unknown app frame: dropped
    client.sendFrame({ type: 'getBundle', name: 'bob' });
    client.sendText('/who');
    await clock.advance(100);
    assert.deepEqual(frames.map((f) => f.text), ['* you are alice; /help lists commands', '* another notice', 'echo: /who']);
    assert.deepEqual(texts, []);
    assert.deepEqual(server.frames, [{ type: 'getBundle', name: 'bob' }]);
    assert.deepEqual(server.texts, ['/who']);
  });

  it('refuses an app frame before the session is open', () => {
    const clock = new FakeClock();
    const client = new ChatClient({ link: linkPair().client, name: 'alice', clock });
    assert.throws(() => client.sendFrame({ type: 'getBundle', name: 'bob' }), (e) => e.code === 'not_open');
  });
});
