// End-to-end private messages in the page (docs/PROTOCOL.md, "Identities and names", "End-to-end
// messages"): the identity proof for the KeyOffer, publishing the current prekey, `/msg` sealed to the
// recipient's bundle when it has one, Sealed frames opened, trust on first use of every contact's identity
// key with a change refused until the user accepts it (/trust NAME), the saved replay cache, and the
// safety number (/verify NAME). No DOM: the controller asks and shows what comes back.
//
// The relay answers GetBundle with a Bundle frame, in order, so one request per name is outstanding at a
// time and answers are matched by name; a name with no bundle (no identity, or none published) gets an
// empty one, and `/msg` then goes as text, which the relay can read: the caller says so.

import { fromUtf8, utf8 } from '../protocol/bytes.js';
import { decodeEnvelope, decodeKeyBundle, encodeEnvelope, encodeIdentityExtension } from '../protocol/e2e/codec.js';
import { isSigned, open, seal } from '../protocol/e2e/envelope.js';
import { signIdentityProof } from '../protocol/e2e/identity-proof.js';
import { grouped, safetyNumber } from '../protocol/e2e/safety-number.js';
import { Trust } from './key-store.js';

/** How long to wait for a Bundle answer before giving up on a /msg (the relay answers at once). */
const BUNDLE_TIMEOUT_MS = 10_000;
/** Rotation is checked at every welcome and at least this often while the page stays open. */
export const ROTATION_CHECK_MS = 60 * 60 * 1000;

/** Why something private was not sent end to end or did not open; `code` names it. */
export class PrivateMessageError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'PrivateMessageError';
    this.code = code;
  }
}

export class PrivateMessages {
  #keys;
  #now;
  #clock;
  #identity = null;
  #self = null;
  #send = null;
  /** name (lower case) → [{ resolve, reject, timer }] waiting for its Bundle. */
  #waiting = new Map();
  /** name (lower case) → the key it presented that differs from its pin, until /trust. */
  #changed = new Map();
  #replays = null;

  /**
   * @param keys a KeyStore (key-store.js)
   * @param now () => ms since the epoch (envelope times, prekey rotation, replay cache)
   * @param clock `{ setTimeout, clearTimeout }` for the bundle timeout
   */
  constructor({ keys, now = Date.now, clock = globalThis }) {
    this.#keys = keys;
    this.#now = now;
    this.#clock = clock;
  }

  /**
   * Loads the identity kept in this browser profile, making one on first use: with a backup `passphrase`
   * it can be exported later (key-store.js), without one it never leaves this profile.
   */
  async load({ passphrase = null } = {}) {
    this.#identity = (await this.#keys.identity()) ?? (await this.#keys.create({ passphrase, now: this.#now() }));
    this.#replays ??= await this.#keys.replayCache(this.#now());
    return this.#identity;
  }

  /** Whether this profile holds an identity yet. */
  async hasIdentity() {
    return (await this.#keys.identity()) !== null;
  }

  /** Restores an exported backup into this (empty) profile; throws BackupError or an Error saying why not. */
  async restore(text, passphrase) {
    this.#identity = await this.#keys.importBackup(text, passphrase, { now: this.#now() });
    this.#replays ??= await this.#keys.replayCache(this.#now());
    return this.#identity;
  }

  /** The encrypted backup as JSON text (key-store.js exportBackup). */
  exportBackup(passphrase) {
    return this.#keys.exportBackup(passphrase);
  }

  get identity() {
    return this.#identity;
  }

  /** The 98-byte identity extension for a KeyOffer with these fields (docs/PROTOCOL.md, "Identity proof"). */
  async identityExtension({ cookie, clientNonce, clientPublicKey, name }) {
    if (this.#identity === null) {
      await this.load();
    }
    return encodeIdentityExtension(await signIdentityProof(this.#identity, cookie, clientNonce, clientPublicKey, name));
  }

  /**
   * A new session is a member under `self`: `send(frame)` now reaches the relay. Rotates the prekeys if due
   * and publishes the current one (the relay keeps the newest per binding).
   */
  async welcomed(self, send) {
    this.#self = self;
    this.#send = send;
    for (const waiting of this.#waiting.values()) {
      waiting.forEach((w) => this.#settle(w, null, new PrivateMessageError('disconnected', 'the connection was lost')));
    }
    this.#waiting.clear();
    await this.publish();
  }

  /** The session ended: nothing more goes out until the next welcome. */
  disconnected() {
    this.#send = null;
  }

  /** Applies the rotation rule and publishes the current prekey (PublishPrekey). */
  async publish() {
    if (this.#identity === null) {
      await this.load();
    }
    await this.#keys.rotate(this.#now());
    const current = (await this.#keys.currentPrekey()).signedPrekey;
    this.#send?.({ type: 'publishPrekey', prekeyId: current.id, createdMillis: current.createdMillis,
      publicKey: current.publicKey, signature: current.signature });
  }

  /** A Bundle frame arrived. */
  onBundle(frame) {
    const key = frame.name.toLowerCase();
    const waiting = this.#waiting.get(key);
    if (waiting === undefined || waiting.length === 0) {
      return;
    }
    this.#settle(waiting.shift(), { name: frame.name, bytes: frame.bundle }, null);
    if (waiting.length === 0) {
      this.#waiting.delete(key);
    }
  }

  #settle(waiter, value, error) {
    this.#clock.clearTimeout(waiter.timer);
    if (error === null) {
      waiter.resolve(value);
    } else {
      waiter.reject(error);
    }
  }

  /** Asks the relay for `name`'s bundle: `{ name (as the relay spells it), bytes }`, bytes empty when it has none. */
  #bundleBytes(name) {
    if (this.#send === null) {
      return Promise.reject(new PrivateMessageError('disconnected', 'not connected'));
    }
    return new Promise((resolve, reject) => {
      const key = name.toLowerCase();
      const waiter = { resolve, reject, timer: null };
      waiter.timer = this.#clock.setTimeout(() => {
        const list = this.#waiting.get(key) ?? [];
        const i = list.indexOf(waiter);
        if (i >= 0) {
          list.splice(i, 1);
        }
        reject(new PrivateMessageError('no_answer', `no key bundle came for ${name}`));
      }, BUNDLE_TIMEOUT_MS);
      if (!this.#waiting.has(key)) {
        this.#waiting.set(key, []);
      }
      this.#waiting.get(key).push(waiter);
      this.#send({ type: 'getBundle', name });
    });
  }

  /**
   * `name`'s bundle, decoded, signed and checked against its pin (pinned now on first use), with `name` as the
   * relay spells it, or null when the relay has none for it. Throws a PrivateMessageError `changed` for a key that differs from the pin.
   */
  async bundle(name) {
    const answer = await this.#bundleBytes(name);
    const bytes = answer.bytes;
    if (bytes.length === 0) {
      return null;
    }
    name = answer.name;
    let bundle;
    try {
      bundle = await decodeKeyBundle(bytes);
    } catch {
      throw new PrivateMessageError('bad_bundle', `the key bundle for ${name} is damaged`);
    }
    if (!(await isSigned(bundle))) {
      throw new PrivateMessageError('bad_bundle', `the key bundle for ${name} is not signed by its identity`);
    }
    await this.#checkPin(name, bundle.identity);
    return { ...bundle, name };
  }

  async #checkPin(name, presented) {
    const { trust } = await this.#keys.check(name, presented);
    if (trust === Trust.CHANGED) {
      this.#changed.set(name.toLowerCase(), { name, key: presented });
      throw new PrivateMessageError('changed', `${name}'s identity key has CHANGED since this browser first saw it: `
        + `nothing is sent to or accepted from ${name} end to end until you compare safety numbers and type /trust ${name}`);
    }
    return trust;
  }

  /**
   * Sends `text` to `name`: sealed (a Seal frame) when `name` has a bundle, and then resolves `'sealed'`;
   * otherwise resolves `'plain'` and the caller sends `/msg NAME TEXT` as text. Throws a
   * PrivateMessageError (changed key, damaged bundle, no answer).
   */
  async sendPrivate(name, text) {
    const bundle = await this.bundle(name);
    if (bundle === null) {
      return 'plain';
    }
    const envelope = await seal({ sender: this.#identity, senderName: this.#self, recipientName: bundle.name, bundle,
      plaintext: utf8(text), now: this.#now() });
    if (this.#send === null) {
      throw new PrivateMessageError('disconnected', 'the connection was lost');
    }
    this.#send({ type: 'seal', to: bundle.name, envelope: encodeEnvelope(envelope) });
    return 'sealed';
  }

  /**
   * Opens a Sealed frame: `{ sender, text, timeMillis, stored }`. The sender's key is its pin; a sender never
   * seen before is looked up (its bundle) and pinned. Throws a PrivateMessageError for one that does not open.
   */
  async openSealed(frame) {
    let envelope;
    try {
      envelope = decodeEnvelope(frame.envelope);
    } catch {
      throw new PrivateMessageError('damaged', 'a damaged end-to-end message was dropped');
    }
    const sender = envelope.sender;
    if (this.#changed.has(sender.toLowerCase())) {
      throw new PrivateMessageError('changed', `a message from ${sender} was refused: ${sender}'s identity key changed (/trust ${sender})`);
    }
    let senderKey = await this.#keys.pinned(sender);
    if (senderKey === null) {
      const bundle = await this.bundle(sender); // pins on first use
      if (bundle === null) {
        throw new PrivateMessageError('unknown_sender', `a message from ${sender} was dropped: no key is known for ${sender}`);
      }
      senderKey = bundle.identity;
    }
    let opened;
    try {
      opened = await open({ envelope, recipientName: this.#self, senderKey, prekeys: await this.#keys.prekeys(),
        replays: this.#replays, now: this.#now() });
    } catch (e) {
      throw new PrivateMessageError(e.failure ?? 'undecryptable',
        `an end-to-end message from ${sender} did not open (${(e.failure ?? 'error').toLowerCase().replace(/_/g, ' ')})`);
    }
    await this.#keys.saveReplayCache(this.#replays);
    return { sender, text: fromUtf8(opened.plaintext), timeMillis: opened.timeMillis, stored: frame.stored };
  }

  /** /trust NAME: accepts the key `name` presented that differs from its pin. False if none is waiting. */
  async trust(name) {
    const changed = this.#changed.get(name.toLowerCase());
    if (changed === undefined) {
      return false;
    }
    await this.#keys.trust(changed.name, changed.key);
    this.#changed.delete(name.toLowerCase());
    return true;
  }

  /** /verify NAME: the safety number with `name`'s pinned key, grouped, or null when none is pinned. */
  async safetyNumber(name) {
    const key = await this.#keys.pinned(name);
    if (key === null || this.#self === null) {
      return null;
    }
    return grouped(await safetyNumber(this.#self, this.#identity.publicKey, name, key));
  }
}
