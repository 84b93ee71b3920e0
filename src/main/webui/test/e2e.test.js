// The end-to-end modules on their own (Java: IdentityKeysTest, SafetyNumberTest, E2eCodecTest,
// EndToEndTest, IdentityProofTest, ReplayCacheTest): RFC 8032 keys, Signal's safety number vector, the
// codecs both ways, and what a relay in the middle can try.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { concat, fromHex, toHex, utf8 } from '../src/protocol/bytes.js';
import {
  E2eFormatError, ENVELOPE_OVERHEAD, KEY_BUNDLE_LENGTH, MAX_ENVELOPE_LENGTH, MAX_NAME_BYTES, MAX_PLAINTEXT_LENGTH,
  decodeEnvelope, decodeIdentityExtension, decodeKeyBundle, encodeEnvelope, encodeIdentityExtension, encodeKeyBundle,
} from '../src/protocol/e2e/codec.js';
import { Failure, OpenFailure, associatedData, info, isSigned, open, seal, signedMessage } from '../src/protocol/e2e/envelope.js';
import { identityProofHash, signIdentityProof, verifyIdentityProof } from '../src/protocol/e2e/identity-proof.js';
import { IdentityKeyPair, IdentityPublicKey, PrekeyPair, SignedPrekey, signedPrekeyMessage } from '../src/protocol/e2e/keys.js';
import { ReplayCache, Verdict } from '../src/protocol/e2e/replay-cache.js';
import { combineHalves, grouped, safetyNumber, safetyNumberHalf } from '../src/protocol/e2e/safety-number.js';

const NOW = 1_700_000_000_000;
const DAY = 24 * 3600 * 1000;
// RFC 8032 section 7.1 TEST 1
const TEST1_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const TEST1_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const TEST1_SIGNATURE = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

const flip = (bytes, i) => {
  const out = bytes.slice();
  out[i] ^= 1;
  return out;
};

describe('identity keys and prekeys', () => {
  it('sign as RFC 8032 says and verify only the right signature', async () => {
    const identity = await IdentityKeyPair.fromPrivateKeyBytes(fromHex(TEST1_SEED));
    assert.equal(toHex(identity.publicKey.bytes), TEST1_PUBLIC);
    assert.equal(identity.privateKey.extractable, false);
    assert.equal(toHex(await identity.sign(new Uint8Array(0))), TEST1_SIGNATURE);
    assert.equal(await identity.publicKey.verify(new Uint8Array(0), fromHex(TEST1_SIGNATURE)), true);
    assert.equal(await identity.publicKey.verify(Uint8Array.of(0), fromHex(TEST1_SIGNATURE)), false);
    assert.equal(await identity.publicKey.verify(new Uint8Array(0), fromHex(TEST1_SIGNATURE).subarray(0, 63)), false);
    assert.match(String(identity), /redacted/);
    assert.doesNotMatch(String(identity), new RegExp(TEST1_SEED));
  });

  it('refuse the small-order keys the Java side refuses', async () => {
    for (const weak of ['0100000000000000000000000000000000000000000000000000000000000000',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0000000000000000000000000000000000000000000000000000000000000000',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f']) {
      await assert.rejects(IdentityPublicKey.of(fromHex(weak)), TypeError, weak);
    }
    await assert.rejects(IdentityPublicKey.of(new Uint8Array(31)), TypeError);
  });

  it('give the fingerprint of the SubjectPublicKeyInfo and its first 8 bytes as the key id', async () => {
    const key = await IdentityPublicKey.of(fromHex(TEST1_PUBLIC));
    const spki = fromHex(`302a300506032b6570032100${TEST1_PUBLIC}`);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', spki));
    assert.equal(toHex(key.subjectPublicKeyInfo), toHex(spki));
    assert.equal(key.fingerprint, `SHA256:${Buffer.from(digest).toString('base64').replace(/=+$/, '')}`);
    assert.equal(toHex(key.keyId), toHex(digest.subarray(0, 8)));
  });

  it('sign a prekey over label, id, key and time, and any change breaks it', async () => {
    const identity = await IdentityKeyPair.generate();
    const prekey = await PrekeyPair.generate(identity, 7, NOW);
    assert.equal(prekey.privateKey.extractable, false);
    const signed = prekey.signedPrekey;
    assert.equal(signedPrekeyMessage(7, signed.publicKey, NOW).length, 64);
    assert.equal(await signed.verifiedBy(identity.publicKey), true);
    assert.equal(await new SignedPrekey(8, NOW, signed.publicKey, signed.signature).verifiedBy(identity.publicKey), false);
    assert.equal(await new SignedPrekey(7, NOW + 1, signed.publicKey, signed.signature).verifiedBy(identity.publicKey), false);
    assert.equal(await new SignedPrekey(7, NOW, flip(signed.publicKey, 3), signed.signature).verifiedBy(identity.publicKey), false);
    assert.equal(await signed.verifiedBy((await IdentityKeyPair.generate()).publicKey), false);
  });

  it('export a seed only from an extractable key, and restore the same identity from it', async () => {
    const locked = await IdentityKeyPair.generate();
    await assert.rejects(locked.privateKeyBytes());
    const open = await IdentityKeyPair.generate({ extractable: true });
    const again = await IdentityKeyPair.fromPrivateKeyBytes(await open.privateKeyBytes());
    assert.ok(again.publicKey.equals(open.publicKey));
    assert.equal(again.privateKey.extractable, false);
  });
});

describe('safety number', () => {
  it('reproduces Signal\'s published vector (libsignal NumericFingerprintGeneratorTest)', async () => {
    const alice = await safetyNumberHalf(fromHex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868'), utf8('+14152222222'));
    const bob = await safetyNumberHalf(fromHex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b'), utf8('+14153333333'));
    assert.equal(combineHalves(alice, bob), '300354477692869396892869876765458257569162576843440918079131');
    assert.equal(combineHalves(bob, alice), '300354477692869396892869876765458257569162576843440918079131');
  });

  it('is the same from both ends, 60 digits in twelve groups, and another key is another number', async () => {
    const alice = (await IdentityKeyPair.generate()).publicKey;
    const bob = (await IdentityKeyPair.generate()).publicKey;
    const atAlice = await safetyNumber('alice', alice, 'bob', bob);
    assert.equal(await safetyNumber('bob', bob, 'alice', alice), atAlice);
    assert.match(grouped(atAlice), /^\d{5}( \d{5}){11}$/);
    assert.notEqual(await safetyNumber('alice', alice, 'bob', (await IdentityKeyPair.generate()).publicKey), atAlice);
  });
});

describe('identity proof', () => {
  it('hashes the documented layout and verifies for its own KeyOffer only', async () => {
    const alice = await IdentityKeyPair.generate();
    const cookie = crypto.getRandomValues(new Uint8Array(16));
    const nonce = crypto.getRandomValues(new Uint8Array(32));
    const rsa = crypto.getRandomValues(new Uint8Array(294));
    const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', concat(utf8('ciphergram v2 identity'), cookie, nonce,
      Uint8Array.of(1, 38), rsa, Uint8Array.of(5), utf8('alice'), alice.publicKey.bytes)));
    assert.equal(toHex(await identityProofHash(cookie, nonce, rsa, 'alice', alice.publicKey)), toHex(expected));
    const proof = await signIdentityProof(alice, cookie, nonce, rsa, 'alice');
    assert.equal(await verifyIdentityProof(proof, cookie, nonce, rsa, 'alice'), true);
    assert.equal(await verifyIdentityProof(proof, flip(cookie, 0), nonce, rsa, 'alice'), false);
    assert.equal(await verifyIdentityProof(proof, cookie, flip(nonce, 0), rsa, 'alice'), false);
    assert.equal(await verifyIdentityProof(proof, cookie, nonce, flip(rsa, 100), 'alice'), false, 'lifted into another KeyOffer');
    assert.equal(await verifyIdentityProof(proof, cookie, nonce, rsa, 'alice2'), false);
    const mallory = await IdentityKeyPair.generate();
    assert.equal(await verifyIdentityProof({ identity: mallory.publicKey, signature: proof.signature }, cookie, nonce, rsa, 'alice'), false);
    assert.equal(await verifyIdentityProof(proof, cookie.subarray(0, 15), nonce, rsa, 'alice'), false);
  });

  it('is carried as 98 bytes after the name and decoded strictly', async () => {
    const alice = await IdentityKeyPair.generate();
    const proof = await signIdentityProof(alice, new Uint8Array(16), new Uint8Array(32), new Uint8Array(294), 'alice');
    const bytes = encodeIdentityExtension(proof);
    assert.equal(bytes.length, 98);
    assert.deepEqual([bytes[0], bytes[1]], [1, 96]);
    const offer = new Uint8Array(1200);
    offer.set(bytes, 400);
    const decoded = await decodeIdentityExtension(offer, 400);
    assert.ok(decoded.identity.equals(alice.publicKey));
    assert.equal(toHex(decoded.signature), toHex(proof.signature));
    await assert.rejects(decodeIdentityExtension(offer, 0), { message: 'not an identity extension' });
    await assert.rejects(decodeIdentityExtension(offer, 1200 - 97), { message: 'identity extension truncated' });
  });
});

describe('replay cache', () => {
  const id = (n) => {
    const b = new Uint8Array(16);
    b[15] = n;
    return b;
  };

  it('accepts an id once, forgets by age and by count, refuses the future', () => {
    const cache = new ReplayCache({ maxEntries: 3 });
    assert.equal(cache.check(id(1), NOW, NOW), Verdict.FRESH);
    assert.equal(cache.record(id(1), NOW, NOW), Verdict.FRESH);
    assert.equal(cache.record(id(1), NOW, NOW), Verdict.REPLAYED);
    assert.equal(cache.check(id(2), NOW - 8 * DAY - 1, NOW), Verdict.TOO_OLD);
    assert.equal(cache.check(id(2), NOW + 3600_001, NOW), Verdict.FROM_THE_FUTURE);
    for (let i = 2; i <= 4; i++) {
      cache.record(id(i), NOW + i, NOW + 10);
    }
    assert.equal(cache.size, 3);
    assert.equal(cache.floorMillis, NOW);
    assert.equal(cache.record(id(1), NOW, NOW + 10), Verdict.TOO_OLD, 'the forgotten id replayed');
    const restored = new ReplayCache({ maxEntries: 3 });
    restored.restore(cache.snapshot(), NOW + 10);
    assert.equal(restored.check(id(3), NOW + 3, NOW + 10), Verdict.REPLAYED);
    assert.equal(restored.check(id(1), NOW, NOW + 10), Verdict.TOO_OLD);
  });
});

describe('end-to-end envelopes', () => {
  async function parties() {
    const alice = await IdentityKeyPair.generate();
    const bob = await IdentityKeyPair.generate();
    const bobOld = await PrekeyPair.generate(bob, 1, NOW - 8 * DAY);
    const bobCurrent = await PrekeyPair.generate(bob, 2, NOW - DAY);
    const bundle = { identity: bob.publicKey, prekey: bobCurrent.signedPrekey };
    return { alice, bob, bobOld, bobCurrent, bundle, prekeys: [bobOld, bobCurrent], replays: new ReplayCache() };
  }

  const toBob = (p, text, prekey = p.bobCurrent) => seal({
    sender: p.alice, senderName: 'alice', recipientName: 'bob', bundle: { identity: p.bob.publicKey, prekey: prekey.signedPrekey },
    plaintext: utf8(text), now: NOW,
  });

  const bobOpens = (p, envelope, extra = {}) => open({
    envelope, recipientName: 'bob', senderKey: p.alice.publicKey, prekeys: p.prekeys, replays: p.replays, now: NOW + 1000, ...extra,
  });

  async function failureOf(p, envelope, extra) {
    try {
      await bobOpens(p, envelope, extra);
    } catch (e) {
      assert.ok(e instanceof OpenFailure);
      return e.failure;
    }
    throw new Error('it opened');
  }

  it('opens what was sealed to the current or a kept prekey, and round-trips through the codec', async () => {
    const p = await parties();
    const envelope = await toBob(p, 'hi bob, psst');
    const bytes = encodeEnvelope(envelope);
    assert.equal(bytes.length, ENVELOPE_OVERHEAD + 5 + 3 + 12);
    assert.doesNotMatch(Buffer.from(bytes).toString('latin1'), /psst/);
    const decoded = decodeEnvelope(bytes);
    assert.deepEqual(decoded, envelope);
    const opened = await bobOpens(p, decoded);
    assert.equal(new TextDecoder().decode(opened.plaintext), 'hi bob, psst');
    assert.equal(opened.sender, 'alice');
    assert.equal(new TextDecoder().decode((await bobOpens(p, await toBob(p, 'old', p.bobOld))).plaintext), 'old');
  });

  it('refuses a replay, another recipient, and any altered field', async () => {
    const p = await parties();
    const e = await toBob(p, 'hello');
    await bobOpens(p, e);
    assert.equal(await failureOf(p, e), Failure.REPLAYED);
    assert.equal(await failureOf(p, e, { recipientName: 'carol' }), Failure.NOT_FOR_US);
    const fresh = await toBob(p, 'hello again');
    const altered = [
      { ...fresh, sender: 'alicf' }, { ...fresh, recipientPrekeyId: 1 }, { ...fresh, messageId: flip(fresh.messageId, 0) },
      { ...fresh, timeMillis: fresh.timeMillis + 1 }, { ...fresh, encapsulatedKey: flip(fresh.encapsulatedKey, 0) },
      { ...fresh, ciphertext: flip(fresh.ciphertext, 0) }, { ...fresh, signature: flip(fresh.signature, 0) },
    ];
    for (const a of altered) {
      assert.equal(await failureOf(p, a), Failure.BAD_SIGNATURE);
    }
    assert.equal(p.replays.size, 1, 'no forgery is remembered');
  });

  it('a re-signed envelope does not open, a deleted prekey opens nothing, a forged bundle is refused', async () => {
    const p = await parties();
    const mallory = await IdentityKeyPair.generate();
    const alices = await toBob(p, 'for bob only');
    const infoBytes = info('mallory', 'bob', mallory.publicKey, alices.recipientPrekeyId);
    const aad = associatedData(alices.messageId, alices.timeMillis);
    const resigned = { ...alices, sender: 'mallory',
      signature: await mallory.sign(signedMessage(alices.encapsulatedKey, alices.ciphertext, aad, infoBytes)) };
    assert.equal(await failureOf(p, resigned, { senderKey: mallory.publicKey }), Failure.UNDECRYPTABLE);
    // The same name under another key (bob trusted mallory's key for "alice"): the info's key id keeps it closed.
    const sameName = { ...alices, signature: await mallory.sign(signedMessage(alices.encapsulatedKey, alices.ciphertext, aad,
      info('alice', 'bob', mallory.publicKey, alices.recipientPrekeyId))) };
    assert.equal(await failureOf(p, sameName, { senderKey: mallory.publicKey }), Failure.UNDECRYPTABLE);
    assert.equal(await failureOf(p, await toBob(p, 'late', p.bobOld), { prekeys: [p.bobCurrent] }), Failure.UNKNOWN_PREKEY);
    assert.equal(await failureOf(p, await toBob(p, 'very late'), { now: NOW + 9 * DAY }), Failure.OUT_OF_WINDOW);
    const forged = { identity: p.bob.publicKey, prekey: (await PrekeyPair.generate(mallory, 2, NOW)).signedPrekey };
    assert.equal(await isSigned(forged), false);
    await assert.rejects(seal({ sender: p.alice, senderName: 'alice', recipientName: 'bob', bundle: forged, plaintext: utf8('x'), now: NOW }),
      { message: /not signed/ });
  });

  it('decodes strictly: every truncation, a byte more, bounds, versions, names', async () => {
    const p = await parties();
    const bytes = encodeEnvelope(await toBob(p, 'hello'));
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(() => decodeEnvelope(bytes.subarray(0, n)), E2eFormatError, `${n} bytes`);
    }
    assert.throws(() => decodeEnvelope(concat(bytes, Uint8Array.of(0))), { message: 'bytes after the envelope' });
    assert.throws(() => decodeEnvelope(Uint8Array.of(2, ...bytes.subarray(1))), { message: 'unknown envelope version' });
    const badName = bytes.slice();
    badName[2] = 0xff;
    assert.throws(() => decodeEnvelope(badName), { message: 'sender name is not UTF-8' });
    assert.throws(() => decodeEnvelope(new Uint8Array(MAX_ENVELOPE_LENGTH + 1)), E2eFormatError);
    const longest = await seal({ sender: p.alice, senderName: 'n'.repeat(MAX_NAME_BYTES), recipientName: 'n'.repeat(MAX_NAME_BYTES),
      bundle: p.bundle, plaintext: new Uint8Array(MAX_PLAINTEXT_LENGTH), now: NOW });
    assert.equal(encodeEnvelope(longest).length, MAX_ENVELOPE_LENGTH);
    await assert.rejects(seal({ sender: p.alice, senderName: 'a', recipientName: 'b', bundle: p.bundle,
      plaintext: new Uint8Array(MAX_PLAINTEXT_LENGTH + 1), now: NOW }), TypeError);
  });

  it('key bundles round-trip in 141 bytes and a prekey under another identity is not signed', async () => {
    const p = await parties();
    const bytes = encodeKeyBundle(p.bundle);
    assert.equal(bytes.length, KEY_BUNDLE_LENGTH);
    assert.equal(bytes.length, 141);
    const decoded = await decodeKeyBundle(bytes);
    assert.ok(decoded.identity.equals(p.bob.publicKey));
    assert.equal(await isSigned(decoded), true);
    const forged = bytes.slice();
    forged.set(p.alice.publicKey.bytes, 1);
    assert.equal(await isSigned(await decodeKeyBundle(forged)), false);
    await assert.rejects(decodeKeyBundle(bytes.subarray(0, 140)), E2eFormatError);
    const weak = bytes.slice();
    weak.fill(0, 1, 33);
    await assert.rejects(decodeKeyBundle(weak), { message: 'identity key is not a usable Ed25519 key' });
  });
});
