// Every v2_* test vector printed in docs/PROTOCOL.md (computed there from the layouts alone, with
// pycryptodome and pyca/cryptography) is what these modules produce and accept: frames, transcript
// hash and signature, key schedule for generations 0 and 1, and the four records, sealed and opened.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { SequencedAead } from '../src/protocol/aead.js';
import { concat, fromHex, toHex, utf8 } from '../src/protocol/bytes.js';
import { SecureChannel } from '../src/protocol/channel.js';
import { dataHeader, decode, encode, signedPart, transcriptHash } from '../src/protocol/codec.js';
import { DELAYED_ACK_MS, PADDED_LENGTH } from '../src/protocol/constants.js';
import { fingerprint, verifySignature } from '../src/protocol/identity.js';
import { deriveKeyMaterial, importSessionSecret, nextSalt } from '../src/protocol/key-schedule.js';
import { TokenBucket } from '../src/protocol/token-bucket.js';

/** The block that starts with "```json test-vectors", read from the document itself. */
function docVectors() {
  const text = readFileSync(new URL('../../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
  const start = text.indexOf('```json test-vectors');
  assert.ok(start >= 0, 'docs/PROTOCOL.md has a ```json test-vectors block');
  const body = text.indexOf('\n', start) + 1;
  return JSON.parse(text.slice(body, text.indexOf('\n```', body)));
}

const vectors = docVectors();
const frames = vectors.v2_frames;
const offerVector = frames.key_offer;
const replyVector = frames.key_reply;
const schedule = vectors.v2_key_schedule;
const records = vectors.v2_records;
const subtle = globalThis.crypto.subtle;
/** PKCS#8 (RFC 8410 section 7) of an Ed25519 key: this prefix, then the 32-byte seed. */
const ED25519_PKCS8_PREFIX = '302e020100300506032b657004220420';

function keyOfferDatagram() {
  return encode({
    type: 'keyOffer', cookie: fromHex(frames.cookie_hex), clientNonce: fromHex(frames.client_nonce_hex),
    clientPublicKey: fromHex(offerVector.client_public_key_hex), name: offerVector.name,
  });
}

function assertPaddedPrefix(datagram, prefixHex, length) {
  const prefix = fromHex(prefixHex);
  assert.equal(datagram.length, length);
  assert.equal(toHex(datagram.subarray(0, prefix.length)), prefixHex);
  assert.ok(datagram.subarray(prefix.length).every((b) => b === 0), 'zero padding');
}

describe('v2_frames', () => {
  it('encodes and decodes Hello', () => {
    const hello = encode({ type: 'hello', clientNonce: fromHex(frames.client_nonce_hex) });
    assertPaddedPrefix(hello, frames.hello_hex, frames.hello_length);
    const decoded = decode(hello);
    assert.equal(decoded.type, 'hello');
    assert.equal(toHex(decoded.clientNonce), frames.client_nonce_hex);
  });

  it('encodes and decodes Retry', () => {
    const retry = encode({ type: 'retry', clientNonce: fromHex(frames.client_nonce_hex), cookie: fromHex(frames.cookie_hex) });
    assert.equal(toHex(retry), frames.retry_hex);
    const decoded = decode(fromHex(frames.retry_hex));
    assert.equal(decoded.type, 'retry');
    assert.equal(toHex(decoded.clientNonce), frames.client_nonce_hex);
    assert.equal(toHex(decoded.cookie), frames.cookie_hex);
  });

  it('encodes and decodes KeyOffer', () => {
    const offer = keyOfferDatagram();
    assertPaddedPrefix(offer, offerVector.hex, offerVector.length);
    assert.equal(offer.length, PADDED_LENGTH);
    const decoded = decode(offer);
    assert.equal(decoded.type, 'keyOffer');
    assert.equal(toHex(decoded.cookie), frames.cookie_hex);
    assert.equal(toHex(decoded.clientNonce), frames.client_nonce_hex);
    assert.equal(toHex(decoded.clientPublicKey), offerVector.client_public_key_hex);
    assert.equal(decoded.name, offerVector.name);
  });

  it('decodes KeyReply into its fields and encodes it back to the same bytes', () => {
    const reply = decode(fromHex(replyVector.hex));
    assert.equal(reply.type, 'keyReply');
    assert.equal(toHex(reply.serverNonce), replyVector.server_nonce_hex);
    assert.equal(toHex(reply.sessionId), replyVector.session_id_hex);
    assert.equal(toHex(reply.serverIdentityKey), replyVector.identity_key_hex);
    assert.equal(toHex(reply.wrappedSecret), replyVector.wrapped_secret_hex);
    assert.deepEqual(reply.limits, {
      messagesPerSecond: replyVector.limits.messages_per_second,
      burst: replyVector.limits.burst,
      maxMessageBytes: replyVector.limits.max_message_bytes,
      idleTimeoutSeconds: replyVector.limits.idle_timeout_seconds,
      keepaliveSeconds: replyVector.limits.keepalive_seconds,
    });
    assert.equal(toHex(reply.signature), replyVector.signature_hex);
    assert.equal(toHex(encode(reply)), replyVector.hex);
    const part = signedPart(reply);
    assert.equal(toHex(part), replyVector.hex.slice(0, part.length * 2), 'the signed part is the prefix before sig_len');
    assert.equal(part.length, fromHex(replyVector.hex).length - 2 - 64);
  });

  it('gives the documented transcript hash, and the signature over it verifies', async () => {
    const reply = decode(fromHex(replyVector.hex));
    const hash = await transcriptHash(keyOfferDatagram(), reply);
    assert.equal(toHex(hash), replyVector.transcript_hash_hex);
    assert.equal(await verifySignature(reply.serverIdentityKey, hash, reply.signature), true);
  });

  it('refuses the signature over any other transcript or from any other key', async () => {
    const reply = decode(fromHex(replyVector.hex));
    const hash = await transcriptHash(keyOfferDatagram(), reply);
    const otherHash = hash.slice();
    otherHash[0] ^= 1;
    assert.equal(await verifySignature(reply.serverIdentityKey, otherHash, reply.signature), false);
    const otherSignature = reply.signature.slice();
    otherSignature[63] ^= 0x40;
    assert.equal(await verifySignature(reply.serverIdentityKey, hash, otherSignature), false);
    const otherKey = reply.serverIdentityKey.slice();
    otherKey[otherKey.length - 1] ^= 1;
    assert.equal(await verifySignature(otherKey, hash, reply.signature), false);
    assert.equal(await verifySignature(Uint8Array.of(1, 2, 3), hash, reply.signature), false, 'not a key at all');
    assert.equal(await verifySignature(reply.serverIdentityKey, hash, reply.signature.subarray(0, 63)), false);
  });

  it('re-signs the transcript with the RFC 8032 TEST 1 key to the documented signature', async () => {
    const pkcs8 = fromHex(ED25519_PKCS8_PREFIX + replyVector.identity_seed_hex);
    const key = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    const signature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, fromHex(replyVector.transcript_hash_hex)));
    assert.equal(toHex(signature), replyVector.signature_hex);
  });

  it('prints the identity key fingerprint as OpenSSH does', async () => {
    const expected = createHash('sha256').update(fromHex(replyVector.identity_key_hex)).digest('base64').replace(/=+$/, '');
    const printed = await fingerprint(fromHex(replyVector.identity_key_hex));
    assert.equal(printed, `SHA256:${expected}`);
    assert.match(printed, /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('v2_key_schedule', () => {
  async function material(saltHex) {
    const secret = await importSessionSecret(fromHex(schedule.secret_hex));
    return deriveKeyMaterial(secret, fromHex(saltHex));
  }

  function assertKeys(keys, expected) {
    assert.equal(toHex(keys.c2s.key), expected.c2s_key_hex);
    assert.equal(toHex(keys.c2s.iv), expected.c2s_iv_hex);
    assert.equal(toHex(keys.s2c.key), expected.s2c_key_hex);
    assert.equal(toHex(keys.s2c.iv), expected.s2c_iv_hex);
  }

  it('starts from the transcript hash of the documented handshake', () => {
    assert.equal(schedule.transcript_hash_hex, replyVector.transcript_hash_hex);
  });

  it('derives generation 0', async () => {
    assertKeys(await material(schedule.transcript_hash_hex), schedule.generation_0);
  });

  it('derives generation 1 from the key update salt', async () => {
    const salt = await nextSalt(fromHex(schedule.transcript_hash_hex), 1);
    assert.equal(toHex(salt), schedule.generation_1.salt_hex);
    assertKeys(await material(schedule.generation_1.salt_hex), schedule.generation_1);
  });
});

describe('v2_records', () => {
  const sessionId = fromHex(records.session_id_hex);

  async function aead(record) {
    const generation = schedule[`generation_${record.key_phase}`];
    const direction = record.direction;
    return SequencedAead.import({
      key: fromHex(generation[`${direction}_key_hex`]), iv: fromHex(generation[`${direction}_iv_hex`]),
    });
  }

  it('has the four documented records', () => {
    assert.equal(records.records.length, 4);
  });

  for (const [i, record] of records.records.entries()) {
    it(`seals record ${i} (${record.direction}, phase ${record.key_phase}, sequence ${record.sequence})`, async () => {
      const sealer = await aead(record);
      assert.equal(toHex(sealer.nonce(record.sequence)), record.nonce_hex);
      const header = dataHeader(sessionId, record.key_phase, record.sequence);
      const datagram = concat(header, await sealer.seal(record.sequence, header, fromHex(record.inner_hex)));
      assert.equal(toHex(datagram), record.datagram_hex);
    });

    it(`opens record ${i}, and not once a bit of it changed`, async () => {
      const opener = await aead(record);
      const frame = decode(fromHex(record.datagram_hex));
      assert.equal(frame.type, 'data');
      assert.equal(frame.keyPhase, record.key_phase);
      assert.equal(frame.sequence, record.sequence);
      const header = dataHeader(frame.sessionId, frame.keyPhase, frame.sequence);
      assert.equal(toHex(await opener.open(frame.sequence, header, frame.ciphertext)), record.inner_hex);
      const tampered = frame.ciphertext.slice();
      tampered[0] ^= 1;
      await assert.rejects(opener.open(frame.sequence, header, tampered), { name: 'CryptoFailure' });
      await assert.rejects(opener.open(frame.sequence + 1, dataHeader(sessionId, frame.keyPhase, frame.sequence + 1),
        frame.ciphertext), { name: 'CryptoFailure' });
    });
  }

  it('are what a client and a server SecureChannel send first, and each opens the other\'s', async () => {
    const t0 = 1_000_000;
    const keepalive = 10_000;
    const expected = records.records.map((r) => r.datagram_hex);
    const secret = await importSessionSecret(fromHex(schedule.secret_hex));
    const transcript = fromHex(schedule.transcript_hash_hex);
    // The client rekeys after every record, so that its second record is generation 1's first.
    const client = await SecureChannel.create({
      role: 'client', sessionId, secretKey: secret, transcriptHash: transcript, pacer: new TokenBucket(0, 0, t0),
      keepalive, now: t0, rekeyAfterMessages: 1,
    });
    const server = await SecureChannel.create({
      role: 'server', sessionId, secretKey: secret, transcriptHash: transcript, pacer: new TokenBucket(0, 0, t0),
      keepalive, now: t0,
    });

    client.offer(utf8('hello'));
    const first = await client.poll(t0);
    assert.deepEqual(first.map(toHex), [expected[0]]);
    const atServer = await server.open(decode(first[0]), t0);
    assert.deepEqual(atServer.messages.map((m) => new TextDecoder().decode(m)), ['hello']);

    assert.deepEqual(await server.poll(t0), [], 'the ack of one in-order fragment is delayed');
    const ack = await server.poll(t0 + DELAYED_ACK_MS);
    assert.deepEqual(ack.map(toHex), [expected[1]]);
    await client.open(decode(ack[0]), t0 + DELAYED_ACK_MS);
    assert.equal(client.allAcknowledged, true);

    assert.equal(toHex(await server.close(t0 + 1)), expected[2]);

    const ping = await client.poll(t0 + keepalive);
    assert.deepEqual(ping.map(toHex), [expected[3]]);
    await server.open(decode(ping[0]), t0 + keepalive);
    assert.equal(server.receiveGeneration, 1);
    assert.equal(client.sendGeneration, 1);

    const closed = await client.open(decode(fromHex(expected[2])), t0 + keepalive);
    assert.equal(closed.closed, true);
    assert.equal(client.closed, true);
    assert.deepEqual(await client.poll(t0 + 2 * keepalive), [], 'nothing is sent after a Close');
  });
});
