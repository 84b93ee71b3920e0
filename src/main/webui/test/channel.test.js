// SecureChannel between a client and a server end (docs/PROTOCOL.md, "Record protection", "Key
// update", "Inner frames"): the order of checks on each record, key updates and catch-up across lost
// generations, and that nothing a forger sends changes any state.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SequencedAead } from '../src/protocol/aead.js';
import { concat, utf8 } from '../src/protocol/bytes.js';
import { SecureChannel } from '../src/protocol/channel.js';
import { dataHeader, decode } from '../src/protocol/codec.js';
import { deriveKeyMaterial, importSessionSecret } from '../src/protocol/key-schedule.js';
import { TokenBucket } from '../src/protocol/token-bucket.js';

const SECOND = 1000;
const sessionId = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 7);
const transcriptHash = new Uint8Array(32).fill(9);

async function pair({ rekeyAfter } = {}) {
  const secretKey = await importSessionSecret(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const make = (role) => SecureChannel.create({
    role, sessionId, secretKey, transcriptHash, pacer: new TokenBucket(0, 1, 0), keepalive: 1000 * SECOND, now: 0,
    ...(rekeyAfter === undefined ? {} : { rekeyAfter }),
  });
  return { client: await make('client'), server: await make('server'), secretKey };
}

const text = (messages) => messages.map((m) => new TextDecoder().decode(m));

async function rejectsWith(promise, reason) {
  await assert.rejects(promise, { name: 'FrameError', reason });
}

describe('SecureChannel', () => {
  it('updates keys after their time, and the receiver follows', async () => {
    const { client, server } = await pair({ rekeyAfter: SECOND });
    const received = [];
    for (let i = 0; i < 5; i++) {
      const now = i * 2 * SECOND;
      client.offer(utf8(`m${i}`));
      for (const d of await client.poll(now)) {
        received.push(...text((await server.open(decode(d), now)).messages));
      }
    }
    assert.deepEqual(received, ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.equal(client.sendGeneration, 4);
    assert.equal(server.receiveGeneration, 4);
  });

  it('catches up across up to three lost generations, but not four', async () => {
    const { client, server } = await pair({ rekeyAfter: SECOND });
    const sent = [];
    for (let i = 0; i < 8; i++) {
      client.offer(utf8(`m${i}`));
      sent.push(...(await client.poll(i * 2 * SECOND)).map(decode));
    }
    const ofPhase = (phase) => sent.find((f) => f.keyPhase === phase);
    await server.open(ofPhase(0), 0);
    await server.open(ofPhase(3), 6 * SECOND); // generations 1 and 2 were lost whole
    assert.equal(server.receiveGeneration, 3);
    await rejectsWith(server.open(ofPhase(2), 6 * SECOND), 'replayed'); // an older generation is refused outright
    await rejectsWith(server.open(ofPhase(7), 14 * SECOND), 'replayed'); // four ahead
    assert.equal(server.receiveGeneration, 3);
    await server.open(ofPhase(6), 12 * SECOND);
    assert.equal(server.receiveGeneration, 6);
  });

  it('does not move to a generation a forged record claims', async () => {
    const { client, server } = await pair();
    client.offer(utf8('a'));
    client.offer(utf8('b'));
    const [first, second] = (await client.poll(0)).map(decode);
    const forged = { ...second, keyPhase: 1 };
    await rejectsWith(server.open(forged, 0), 'auth_failed');
    assert.equal(server.receiveGeneration, 0);
    assert.deepEqual(text((await server.open(first, 0)).messages), ['a']);
    assert.deepEqual(text((await server.open(second, 0)).messages), ['b']);
  });

  it('drops another session\'s records, replays and tampered records, and a tampered copy moves nothing', async () => {
    const { client, server } = await pair();
    client.offer(utf8('once'));
    const [record] = (await client.poll(0)).map(decode);
    await rejectsWith(server.open({ ...record, sessionId: new Uint8Array(8) }, 0), 'unknown_session');
    const tampered = record.ciphertext.slice();
    tampered[tampered.length - 1] ^= 1;
    await rejectsWith(server.open({ ...record, ciphertext: tampered }, 0), 'auth_failed');
    await rejectsWith(server.open({ ...record, sequence: record.sequence + 1 }, 0), 'auth_failed');
    assert.deepEqual(text((await server.open(record, 0)).messages), ['once']);
    await rejectsWith(server.open(record, 1), 'replayed');
  });

  it('drops an authentic record whose inner frame is empty or unknown', async () => {
    const { server, secretKey } = await pair();
    const keys = await deriveKeyMaterial(secretKey, transcriptHash);
    const sealer = await SequencedAead.import(keys.c2s);
    const record = async (sequence, inner) => {
      const header = dataHeader(sessionId, 0, sequence);
      return decode(concat(header, await sealer.seal(sequence, header, inner)));
    };
    await rejectsWith(server.open(await record(0, new Uint8Array(0)), 0), 'malformed_frame');
    await rejectsWith(server.open(await record(1, Uint8Array.of(0x03)), 0), 'malformed_frame');
    await rejectsWith(server.open(await record(2, Uint8Array.of(0x10, 0)), 0), 'malformed_frame');
    await rejectsWith(server.open(await record(3, Uint8Array.of(0x02, 0, 0, 0, 0, 0, 0xff)), 0), 'malformed_frame');
    assert.equal((await server.open(await record(4, Uint8Array.of(0x11)), 0)).closed, true);
  });

  it('has the server answer each Ping, and the client never answer one', async () => {
    const { client, server } = await pair();
    const ping = await client.poll(1000 * SECOND);
    assert.equal(ping.length, 1);
    await server.open(decode(ping[0]), 1000 * SECOND);
    assert.equal(server.nextWake(1000 * SECOND), 1000 * SECOND, 'the answer is due at once');
    const pong = await server.poll(1000 * SECOND);
    assert.equal(pong.length, 1);
    await client.open(decode(pong[0]), 1000 * SECOND + 5);
    assert.equal(client.lastReceived, 1000 * SECOND + 5);
    assert.deepEqual(await client.poll(1000 * SECOND + 6), [], 'no answer, and the keepalive timer was reset by the ping');
  });

  it('refuses to seal past the reject limit and never reuses a nonce', async () => {
    const { secretKey } = await pair();
    const aead = await SequencedAead.import((await deriveKeyMaterial(secretKey, transcriptHash)).c2s);
    await aead.seal(5, new Uint8Array(0), new Uint8Array(0));
    await assert.rejects(aead.seal(5, new Uint8Array(0), new Uint8Array(0)), RangeError);
    await assert.rejects(aead.seal(4, new Uint8Array(0), new Uint8Array(0)), RangeError);
    await assert.rejects(aead.seal(2 ** 24 + 2 ** 22, new Uint8Array(0), new Uint8Array(0)), RangeError);
  });
});
