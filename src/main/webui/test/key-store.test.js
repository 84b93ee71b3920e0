// The page's key store over a stand-in for IndexedDB that clones values as IndexedDB does (CryptoKeys
// included): non-extractable keys kept and used, pins on first use, rotation on schedule, and the
// passphrase-encrypted backup. The IndexedDB adapter itself (openIndexedDbRecords) runs only in a browser:
// there is no fake IndexedDB among this project's packages, so the lead's browser test covers it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { utf8 } from '../src/protocol/bytes.js';
import { open, seal } from '../src/protocol/e2e/envelope.js';
import { IdentityKeyPair } from '../src/protocol/e2e/keys.js';
import { currentPrekey, planRotation } from '../src/protocol/e2e/prekey-rotation.js';
import { BackupError, KeyStore, Trust } from '../src/page/key-store.js';

const NOW = 1_700_000_000_000;
const DAY = 24 * 3600 * 1000;

function clonedRecords() {
  const map = new Map();
  return {
    map,
    get: async (key) => (map.has(key) ? structuredClone(map.get(key)) : undefined),
    put: async (key, value) => { map.set(key, structuredClone(value)); },
    delete: async (key) => { map.delete(key); },
  };
}

describe('prekey rotation (the Java rule)', () => {
  it('is due weekly and deletes a retired prekey two weeks after its replacement', () => {
    assert.deepEqual(planRotation([], NOW), { newPrekeyDue: true, delete: [] });
    const held = [{ id: 1, createdMillis: NOW }, { id: 2, createdMillis: NOW + 7 * DAY }];
    assert.deepEqual(planRotation(held, NOW + 8 * DAY), { newPrekeyDue: false, delete: [] });
    assert.deepEqual(planRotation(held, NOW + 21 * DAY - 1), { newPrekeyDue: true, delete: [] });
    assert.deepEqual(planRotation(held, NOW + 21 * DAY), { newPrekeyDue: true, delete: [1] });
    assert.deepEqual(planRotation(held, NOW - 365 * DAY), { newPrekeyDue: false, delete: [] }, 'a clock that went back');
    assert.equal(currentPrekey([{ id: 5, createdMillis: NOW }, { id: 7, createdMillis: NOW }]).id, 7);
  });
});

describe('key store', () => {
  it('keeps a non-extractable identity and prekey that still sign and open after a reload', async () => {
    const records = clonedRecords();
    const made = await new KeyStore(records).create({ now: NOW });
    const reloaded = new KeyStore(records);
    const identity = await reloaded.identity();
    assert.ok(identity.publicKey.equals(made.publicKey));
    assert.equal(identity.privateKey.extractable, false);
    const [prekey] = await reloaded.prekeys();
    assert.equal(prekey.privateKey.extractable, false);
    assert.equal(await prekey.signedPrekey.verifiedBy(identity.publicKey), true);
    await assert.rejects(globalThis.crypto.subtle.exportKey('pkcs8', identity.privateKey));

    const alice = await IdentityKeyPair.generate();
    const envelope = await seal({ sender: alice, senderName: 'alice', recipientName: 'me',
      bundle: { identity: identity.publicKey, prekey: prekey.signedPrekey }, plaintext: utf8('hello'), now: NOW });
    const replays = await reloaded.replayCache(NOW);
    const opened = await open({ envelope, recipientName: 'me', senderKey: alice.publicKey, prekeys: await reloaded.prekeys(), replays, now: NOW });
    assert.equal(new TextDecoder().decode(opened.plaintext), 'hello');
    await reloaded.saveReplayCache(replays);
    await assert.rejects(open({ envelope, recipientName: 'me', senderKey: alice.publicKey, prekeys: await reloaded.prekeys(),
      replays: await new KeyStore(records).replayCache(NOW), now: NOW }), { failure: 'REPLAYED' }, 'the saved cache refuses a replay');
    await assert.rejects(reloaded.create({ now: NOW }), /already kept/);
  });

  it('pins on first use, reports a changed key and keeps the pin until trusted', async () => {
    const store = new KeyStore(clonedRecords());
    const alice = (await IdentityKeyPair.generate()).publicKey;
    const impostor = (await IdentityKeyPair.generate()).publicKey;
    assert.equal((await store.check('alice', alice)).trust, Trust.FIRST_USE);
    assert.equal((await store.check('alice', alice)).trust, Trust.MATCH);
    const changed = await store.check('alice', impostor);
    assert.equal(changed.trust, Trust.CHANGED);
    assert.ok(changed.pinned.equals(alice));
    assert.ok((await store.pinned('alice')).equals(alice));
    await store.trust('alice', impostor);
    assert.equal((await store.check('alice', impostor)).trust, Trust.MATCH);
    assert.equal(await store.pinned('bob'), null);
  });

  it('rotates its prekeys on schedule', async () => {
    const store = new KeyStore(clonedRecords());
    await store.create({ now: NOW });
    assert.equal(await store.rotate(NOW + 6 * DAY), false);
    assert.equal(await store.rotate(NOW + 7 * DAY), true);
    assert.equal((await store.currentPrekey()).id, 2);
    await store.rotate(NOW + 14 * DAY);
    await store.rotate(NOW + 21 * DAY);
    assert.deepEqual((await store.prekeys()).map((p) => p.id), [2, 3, 4]);
  });

  it('exports a backup only with the passphrase and restores identity and pins elsewhere, non-extractable', async () => {
    const home = new KeyStore(clonedRecords());
    const made = await home.create({ passphrase: 'correct horse battery staple', now: NOW });
    assert.equal(made.privateKey.extractable, false);
    const alice = (await IdentityKeyPair.generate()).publicKey;
    await home.check('alice', alice);
    await assert.rejects(home.exportBackup('wrong'), BackupError);
    const text = await home.exportBackup('correct horse battery staple');
    const backup = JSON.parse(text);
    assert.equal(backup.kdf.iterations, 600_000);
    assert.doesNotMatch(text, /alice/, 'the contact list is encrypted too');

    const away = new KeyStore(clonedRecords());
    await assert.rejects(away.importBackup(text, 'wrong', { now: NOW }), BackupError);
    const restored = await away.importBackup(text, 'correct horse battery staple', { now: NOW + DAY });
    assert.ok(restored.publicKey.equals(made.publicKey));
    assert.equal((await away.identity()).privateKey.extractable, false);
    assert.ok((await away.pinned('alice')).equals(alice));
    const [prekey] = await away.prekeys();
    assert.equal(await prekey.signedPrekey.verifiedBy(restored.publicKey), true);
    assert.equal(await away.hasBackup(), true);

    const tampered = JSON.parse(text);
    tampered.kdf.iterations = 1_000_000_000;
    await assert.rejects(new KeyStore(clonedRecords()).importBackup(JSON.stringify(tampered), 'x', { now: NOW }), BackupError,
      'an absurd iteration count would hang the page');
    await assert.rejects(new KeyStore(clonedRecords()).importBackup('{"format":"other"}', 'x', { now: NOW }), BackupError);
  });

  it('says an identity made without a passphrase cannot leave the browser', async () => {
    const store = new KeyStore(clonedRecords());
    await store.create({ now: NOW });
    assert.equal(await store.hasBackup(), false);
    await assert.rejects(store.exportBackup('anything'), /cannot leave this browser/);
  });
});
