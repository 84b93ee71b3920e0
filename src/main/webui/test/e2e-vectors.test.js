// The e2e-vectors block of docs/PROTOCOL.md ("End-to-end messages"), read from the document itself, is
// what these modules make and open (Java: E2eDocVectorsTest checks the very same block): RFC 9180 A.1.1,
// the parties' keys, prekey signatures and bundles, the identity proof, both envelopes byte for byte,
// and the safety numbers.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { fromHex, toHex, utf8 } from '../src/protocol/bytes.js';
import { decodeEnvelope, decodeIdentityExtension, decodeKeyBundle, encodeEnvelope, encodeIdentityExtension, encodeKeyBundle } from '../src/protocol/e2e/codec.js';
import { associatedData, info, isSigned, open, seal, signedMessage } from '../src/protocol/e2e/envelope.js';
import { importPrivateKey, openBase, sealBase } from '../src/protocol/e2e/hpke.js';
import { identityProofHash, signIdentityProof, verifyIdentityProof } from '../src/protocol/e2e/identity-proof.js';
import { IdentityKeyPair, PrekeyPair } from '../src/protocol/e2e/keys.js';
import { ReplayCache } from '../src/protocol/e2e/replay-cache.js';
import { combineHalves, grouped, safetyNumber, safetyNumberHalf } from '../src/protocol/e2e/safety-number.js';
import { scripted } from './support/scripted-random.js';

function docVectors() {
  const text = readFileSync(new URL('../../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
  const start = text.indexOf('```json e2e-vectors');
  assert.ok(start >= 0, 'docs/PROTOCOL.md has a ```json e2e-vectors block');
  const body = text.indexOf('\n', start) + 1;
  return JSON.parse(text.slice(body, text.indexOf('\n```', body)));
}

const vectors = docVectors();

async function parties() {
  assert.equal(vectors.e2e_parties.length, 2);
  const out = {};
  for (const p of vectors.e2e_parties) {
    const identity = await IdentityKeyPair.fromPrivateKeyBytes(fromHex(p.identity_seed_hex));
    const prekey = await PrekeyPair.restore(identity, p.prekey.id, p.prekey.created_ms, fromHex(p.prekey.private_key_hex));
    out[p.name] = { name: p.name, identity, prekey, vector: p };
  }
  return out;
}

describe('e2e-vectors', () => {
  it('RFC 9180 A.1.1 seals and opens', async () => {
    const rfc = vectors.e2e_rfc9180_a11;
    const sealed = await sealBase(fromHex(rfc.pk_rm_hex), fromHex(rfc.info_hex), fromHex(rfc.aad_hex), fromHex(rfc.pt_hex), scripted(rfc.sk_em_hex));
    assert.equal(toHex(sealed.enc), rfc.pk_em_hex);
    assert.equal(toHex(sealed.ciphertext), rfc.ct_hex);
    const recipient = { privateKey: await importPrivateKey(fromHex(rfc.sk_rm_hex)), publicKey: fromHex(rfc.pk_rm_hex) };
    assert.equal(toHex(await openBase(sealed.enc, recipient, fromHex(rfc.info_hex), fromHex(rfc.aad_hex), sealed.ciphertext)), rfc.pt_hex);
  });

  it('the parties\' keys, prekeys and bundles', async () => {
    for (const p of Object.values(await parties())) {
      const v = p.vector;
      assert.equal(toHex(p.identity.publicKey.bytes), v.identity_key_hex);
      assert.equal(p.identity.publicKey.fingerprint, v.fingerprint);
      assert.equal(toHex(p.identity.publicKey.keyId), v.key_id_hex);
      assert.equal(toHex(p.prekey.signedPrekey.publicKey), v.prekey.public_key_hex);
      assert.equal(toHex(p.prekey.signedPrekey.signature), v.prekey.signature_hex);
      assert.equal(toHex(encodeKeyBundle({ identity: p.identity.publicKey, prekey: p.prekey.signedPrekey })), v.key_bundle_hex);
      const decoded = await decodeKeyBundle(fromHex(v.key_bundle_hex));
      assert.ok(decoded.identity.equals(p.identity.publicKey));
      assert.equal(await isSigned(decoded), true);
    }
  });

  it('the identity proof', async () => {
    const proof = vectors.e2e_identity_proof;
    const { identity } = (await parties())[proof.identity];
    const args = [fromHex(proof.cookie_hex), fromHex(proof.client_nonce_hex), fromHex(proof.client_public_key_hex), proof.name];
    assert.equal(toHex(await identityProofHash(...args, identity.publicKey)), proof.hash_hex);
    const extension = await signIdentityProof(identity, ...args);
    assert.equal(toHex(extension.signature), proof.signature_hex);
    assert.equal(toHex(encodeIdentityExtension(extension)), proof.extension_hex);
    assert.equal(await verifyIdentityProof(await decodeIdentityExtension(fromHex(proof.extension_hex), 0), ...args), true);
  });

  it('both envelopes, byte for byte, and each opens', async () => {
    const all = await parties();
    assert.equal(vectors.e2e_envelopes.length, 2);
    for (const v of vectors.e2e_envelopes) {
      const sender = all[v.sender];
      const recipient = all[v.recipient];
      const random = scripted(v.message_id_hex, v.ephemeral_private_key_hex);
      const sealed = await seal({ sender: sender.identity, senderName: sender.name, recipientName: recipient.name,
        bundle: { identity: recipient.identity.publicKey, prekey: recipient.prekey.signedPrekey }, plaintext: utf8(v.plaintext),
        now: v.time_ms, random });
      assert.ok(random.exhausted());
      const infoBytes = info(sender.name, recipient.name, sender.identity.publicKey, recipient.prekey.id);
      const aad = associatedData(sealed.messageId, sealed.timeMillis);
      assert.equal(toHex(infoBytes), v.info_hex);
      assert.equal(toHex(aad), v.aad_hex);
      assert.equal(toHex(sealed.encapsulatedKey), v.encapsulated_key_hex);
      assert.equal(toHex(sealed.ciphertext), v.ciphertext_hex);
      assert.equal(toHex(signedMessage(sealed.encapsulatedKey, sealed.ciphertext, aad, infoBytes)), v.signed_message_hex);
      assert.equal(toHex(sealed.signature), v.signature_hex);
      assert.equal(toHex(encodeEnvelope(sealed)), v.envelope_hex);

      const opened = await open({ envelope: decodeEnvelope(fromHex(v.envelope_hex)), recipientName: recipient.name,
        senderKey: sender.identity.publicKey, prekeys: [recipient.prekey], replays: new ReplayCache(), now: v.time_ms });
      assert.equal(new TextDecoder().decode(opened.plaintext), v.plaintext);
      assert.equal(opened.sender, sender.name);
    }
  });

  it('the safety numbers, ours and Signal\'s', async () => {
    const all = await parties();
    const ours = vectors.e2e_safety_number;
    const [a, b] = ours.names.map((n) => all[n]);
    assert.equal(await safetyNumber(a.name, a.identity.publicKey, b.name, b.identity.publicKey), ours.digits);
    assert.equal(grouped(await safetyNumber(b.name, b.identity.publicKey, a.name, a.identity.publicKey)), ours.grouped);
    const signal = vectors.e2e_signal_safety_number;
    assert.equal(combineHalves(await safetyNumberHalf(fromHex(signal.alice_key_hex), utf8(signal.alice_id), signal.iterations),
      await safetyNumberHalf(fromHex(signal.bob_key_hex), utf8(signal.bob_id), signal.iterations)), signal.digits);
  });
});
