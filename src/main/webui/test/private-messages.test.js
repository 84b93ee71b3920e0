// End-to-end private messages between two pages' PrivateMessages, through a relay in miniature that keeps
// the published prekeys as bundles, answers GetBundle and hands Seal envelopes on as Sealed frames: sealed
// and opened, the identity proof for the KeyOffer, trust on first use and a changed key refused until
// /trust, replays refused (also after a restart, from the saved cache), plain text when there is no bundle,
// and the same safety number on both sides.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fromHex } from '../src/protocol/bytes.js';
import { decodeIdentityExtension, encodeKeyBundle } from '../src/protocol/e2e/codec.js';
import { verifyIdentityProof } from '../src/protocol/e2e/identity-proof.js';
import { SignedPrekey } from '../src/protocol/e2e/keys.js';
import { KeyStore } from '../src/page/key-store.js';
import { PrivateMessageError, PrivateMessages } from '../src/page/private-messages.js';
import { FakeClock } from './support/fake-clock.js';

const NOW = 1_767_225_600_000;
const DAY = 24 * 3600 * 1000;

function clonedRecords() {
  const map = new Map();
  return {
    get: async (key) => (map.has(key) ? structuredClone(map.get(key)) : undefined),
    put: async (key, value) => { map.set(key, structuredClone(value)); },
    delete: async (key) => { map.delete(key); },
  };
}

/** The relay's part: bundles by name, envelopes passed on, everything the pages sent kept. */
class MiniRelay {
  bundles = new Map();
  pages = new Map();
  frames = [];
  sealed = [];

  async attach(name, pm) {
    this.pages.set(name, pm);
    await pm.welcomed(name, (frame) => this.receive(name, frame));
  }

  receive(from, frame) {
    this.frames.push({ from, frame });
    const page = this.pages.get(from);
    if (frame.type === 'publishPrekey') {
      const identity = page.identity.publicKey;
      this.bundles.set(from, encodeKeyBundle({ identity,
        prekey: new SignedPrekey(frame.prekeyId, frame.createdMillis, frame.publicKey, frame.signature) }));
    } else if (frame.type === 'getBundle') {
      queueMicrotask(() => page.onBundle({ type: 'bundle', name: frame.name, bundle: this.bundles.get(frame.name) ?? new Uint8Array(0) }));
    } else if (frame.type === 'seal') {
      this.sealed.push({ to: frame.to, envelope: frame.envelope });
    }
  }

  /** Hands the last sealed envelope to its recipient. */
  deliver(index = this.sealed.length - 1) {
    const { to, envelope } = this.sealed[index];
    return this.pages.get(to).openSealed({ type: 'sealed', timeMillis: NOW, stored: false, envelope });
  }
}

async function page(now = () => NOW, records = clonedRecords()) {
  const clock = new FakeClock();
  const pm = new PrivateMessages({ keys: new KeyStore(records), now, clock });
  await pm.load();
  return { pm, records, clock };
}

async function pair() {
  const relay = new MiniRelay();
  const alice = await page();
  const bob = await page();
  await relay.attach('alice', alice.pm);
  await relay.attach('bob', bob.pm);
  return { relay, alice, bob };
}

describe('PrivateMessages', () => {
  it('publishes the current prekey when welcomed', async () => {
    const { relay } = await pair();
    assert.deepEqual(relay.frames.map((f) => [f.from, f.frame.type]), [['alice', 'publishPrekey'], ['bob', 'publishPrekey']]);
    assert.equal(relay.frames[0].frame.prekeyId, 1);
  });

  it('signs the identity proof for exactly this KeyOffer', async () => {
    const { pm } = await page();
    const fields = { cookie: fromHex('a0'.repeat(16)), clientNonce: fromHex('01'.repeat(32)),
      clientPublicKey: Uint8Array.of(1, 2, 3), name: 'alice' };
    const extension = await decodeIdentityExtension(await pm.identityExtension(fields), 0);
    assert.ok(extension.identity.equals(pm.identity.publicKey));
    assert.ok(await verifyIdentityProof(extension, fields.cookie, fields.clientNonce, fields.clientPublicKey, 'alice'));
    assert.equal(await verifyIdentityProof(extension, fields.cookie, fields.clientNonce, fields.clientPublicKey, 'mallory'),
      false, 'the name is bound in');
  });

  it('seals to the bundle, and the recipient opens it with the sender pinned on first use', async () => {
    const { relay, bob } = await pair();
    assert.equal(await relay.pages.get('alice').sendPrivate('bob', 'hi bob ✓'), 'sealed');
    assert.equal(relay.sealed.length, 1);
    assert.ok(!new TextDecoder().decode(relay.sealed[0].envelope).includes('hi bob'), 'the relay sees no text');
    const opened = await relay.deliver();
    assert.deepEqual({ ...opened }, { sender: 'alice', text: 'hi bob ✓', timeMillis: NOW, stored: false });
    assert.ok(await bob.pm.safetyNumber('alice'), 'bob pinned alice');
  });

  it('seals to the name as the relay spells it', async () => {
    const { relay } = await pair();
    relay.receive = ((original) => function (from, frame) {
      if (frame.type === 'getBundle') {
        frame = { ...frame, name: frame.name.toLowerCase() };
      }
      return original.call(this, from, frame);
    })(relay.receive);
    await relay.pages.get('alice').sendPrivate('BOB', 'case');
    assert.equal(relay.sealed[0].to, 'bob');
    assert.equal((await relay.deliver()).text, 'case');
  });

  it('answers plain when the name has no bundle, so the caller sends text', async () => {
    const { relay } = await pair();
    assert.equal(await relay.pages.get('alice').sendPrivate('carol', 'no identity'), 'plain');
    assert.equal(relay.sealed.length, 0);
  });

  it('refuses a replayed envelope, also after the page restarts', async () => {
    const { relay, bob } = await pair();
    await relay.pages.get('alice').sendPrivate('bob', 'once');
    await relay.deliver();
    await assert.rejects(relay.deliver(), (e) => e instanceof PrivateMessageError && e.code === 'REPLAYED');
    const restarted = await page(() => NOW, bob.records);
    relay.pages.set('bob', restarted.pm);
    await restarted.pm.welcomed('bob', (frame) => relay.receive('bob', frame));
    await assert.rejects(relay.deliver(), (e) => e.code === 'REPLAYED', 'the saved replay cache');
  });

  it('refuses a changed identity key for a pinned name until /trust, and then seals again', async () => {
    const { relay, alice } = await pair();
    await alice.pm.sendPrivate('bob', 'first');
    const impostor = await page();
    await relay.attach('bob', impostor.pm); // the relay hands out another key for bob
    await assert.rejects(alice.pm.sendPrivate('bob', 'second'), (e) => e.code === 'changed' && /CHANGED/.test(e.message));
    assert.equal(relay.sealed.length, 1, 'nothing sealed to the new key');
    assert.equal(await alice.pm.trust('carol'), false, 'nothing waits for carol');
    assert.equal(await alice.pm.trust('bob'), true);
    assert.equal(await alice.pm.sendPrivate('bob', 'third'), 'sealed');
    assert.equal((await relay.deliver()).text, 'third');
  });

  it('refuses a message from a sender whose key changed', async () => {
    const { relay, bob } = await pair();
    await relay.pages.get('alice').sendPrivate('bob', 'hello');
    await relay.deliver(); // bob pins alice
    const otherAlice = await page();
    await relay.attach('alice', otherAlice.pm);
    await otherAlice.pm.sendPrivate('bob', 'from the other key');
    await assert.rejects(relay.deliver(), (e) => e.code === 'BAD_SIGNATURE');
    assert.equal(relay.sealed.length, 2);
    assert.ok(bob);
  });

  it('gives up on a bundle that never comes, and on everything when the session ends', async () => {
    const { pm, clock } = await page();
    await pm.welcomed('alice', () => {});
    const refused = assert.rejects(pm.sendPrivate('bob', 'lost'), (e) => e.code === 'no_answer');
    await clock.advance(10_000);
    await refused;
    pm.disconnected();
    await assert.rejects(pm.sendPrivate('bob', 'later'), (e) => e.code === 'disconnected');
  });

  it('rotates a week-old prekey when welcomed and publishes the new one', async () => {
    let now = NOW;
    const { pm } = await page(() => now);
    const published = [];
    await pm.welcomed('alice', (frame) => published.push(frame));
    now += 7 * DAY;
    await pm.welcomed('alice', (frame) => published.push(frame));
    assert.deepEqual(published.map((f) => [f.prekeyId, f.createdMillis]), [[1, NOW], [2, NOW + 7 * DAY]]);
  });

  it('shows the same safety number on both sides', async () => {
    const { relay, alice, bob } = await pair();
    await alice.pm.sendPrivate('bob', 'pin');
    await relay.deliver();
    const a = await alice.pm.safetyNumber('bob');
    assert.match(a, /^(\d{5} ){11}\d{5}$/);
    assert.equal(await bob.pm.safetyNumber('alice'), a);
    assert.equal(await alice.pm.safetyNumber('carol'), null);
  });
});
