// RFC 9180 Appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode), every
// published intermediate value, through src/protocol/e2e/hpke.js (Java: HpkeTest, the same vector).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fromHex, toHex, utf8 } from '../src/protocol/bytes.js';
import { scripted } from './support/scripted-random.js';
import {
  HpkeOpenError, deriveKeyPair, importPrivateKey, keySchedule, openBase, sealBase, setupBaseR, setupBaseS,
} from '../src/protocol/e2e/hpke.js';

const A11 = {
  info: '4f6465206f6e2061204772656369616e2055726e',
  ikmE: '7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234',
  skEm: '52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736',
  pkEm: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
  ikmR: '6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037',
  skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
  pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
  sharedSecret: 'fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc',
  keyScheduleContext: '00725611c9d98c07c03f60095cd32d400d8347d45ed67097bbad50fc56da742d07cb6cffde367bb0565ba28bb02c90744a20f5ef37f30523526106f637abb05449',
  secret: '12fff91991e93b48de37e7daddb52981084bd8aa64289c3788471d9a9712f397',
  key: '4531685d41d65f03dc48f6b8302c05b0',
  baseNonce: '56d890e5accaaf011cff4b7d',
  exporterSecret: '45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8',
  pt: '4265617574792069732074727574682c20747275746820626561757479',
  encryptions: [
    { aad: '436f756e742d30', ct: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a' },
    { aad: '436f756e742d31', ct: 'af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84' },
  ],
  exports: [
    { context: '', value: '3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee' },
    { context: '00', value: '2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5' },
    { context: '54657374436f6e74657874', value: 'e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931' },
  ],
};

async function recipient() {
  return { privateKey: await importPrivateKey(fromHex(A11.skRm)), publicKey: fromHex(A11.pkRm) };
}

describe('RFC 9180 A.1.1', () => {
  it('derives both key pairs from their ikm', async () => {
    const e = await deriveKeyPair(fromHex(A11.ikmE));
    assert.equal(toHex(e.privateKey), A11.skEm);
    assert.equal(toHex(e.publicKey), A11.pkEm);
    const r = await deriveKeyPair(fromHex(A11.ikmR));
    assert.equal(toHex(r.privateKey), A11.skRm);
    assert.equal(toHex(r.publicKey), A11.pkRm);
  });

  it('has the published key schedule', async () => {
    const schedule = await keySchedule(fromHex(A11.sharedSecret), fromHex(A11.info));
    assert.equal(toHex(schedule.keyScheduleContext), A11.keyScheduleContext);
    assert.equal(toHex(schedule.secret), A11.secret);
    assert.equal(toHex(schedule.key), A11.key);
    assert.equal(toHex(schedule.baseNonce), A11.baseNonce);
    assert.equal(toHex(schedule.exporterSecret), A11.exporterSecret);
  });

  it('seals the published ciphertexts at sequence 0 and 1 and exports the published values', async () => {
    const random = scripted(A11.skEm);
    const { enc, context } = await setupBaseS(fromHex(A11.pkRm), fromHex(A11.info), random);
    assert.ok(random.exhausted());
    assert.equal(toHex(enc), A11.pkEm);
    for (const e of A11.encryptions) {
      assert.equal(toHex(await context.seal(fromHex(e.aad), fromHex(A11.pt))), e.ct);
    }
    for (const x of A11.exports) {
      assert.equal(toHex(await context.export(fromHex(x.context), 32)), x.value);
    }
  });

  it('opens them in order as the receiver', async () => {
    const context = await setupBaseR(fromHex(A11.pkEm), await recipient(), fromHex(A11.info));
    for (const e of A11.encryptions) {
      assert.equal(toHex(await context.open(fromHex(e.aad), fromHex(e.ct))), A11.pt);
    }
  });

  it('single-shot seal and open are sequence 0', async () => {
    const sealed = await sealBase(fromHex(A11.pkRm), fromHex(A11.info), fromHex(A11.encryptions[0].aad), fromHex(A11.pt),
      scripted(A11.skEm));
    assert.equal(toHex(sealed.enc), A11.pkEm);
    assert.equal(toHex(sealed.ciphertext), A11.encryptions[0].ct);
    const opened = await openBase(sealed.enc, await recipient(), fromHex(A11.info), fromHex(A11.encryptions[0].aad),
      sealed.ciphertext);
    assert.equal(toHex(opened), A11.pt);
  });

  it('refuses, with one error, anything changed on the way', async () => {
    const r = await recipient();
    const info = fromHex(A11.info);
    const aad = fromHex(A11.encryptions[0].aad);
    const ct = fromHex(A11.encryptions[0].ct);
    const enc = fromHex(A11.pkEm);
    const flip = (bytes, i) => {
      const out = bytes.slice();
      out[i] ^= 1;
      return out;
    };
    const attempts = [
      [enc, info, aad, flip(ct, 3)],
      [enc, info, fromHex(A11.encryptions[1].aad), ct],
      [enc, utf8('other info'), aad, ct],
      [flip(enc, 0), info, aad, ct],
      [new Uint8Array(32), info, aad, ct], // small order: the DH output is zero (RFC 9180 section 7.1.4)
      [enc.subarray(0, 31), info, aad, ct],
      [enc, info, aad, ct.subarray(0, 15)],
    ];
    for (const [e, i, a, c] of attempts) {
      await assert.rejects(openBase(e, r, i, a, c), HpkeOpenError);
    }
    const other = await deriveKeyPair(fromHex(A11.ikmE));
    await assert.rejects(openBase(enc, { privateKey: await importPrivateKey(other.privateKey), publicKey: other.publicKey },
      info, aad, ct), HpkeOpenError);
  });
});
