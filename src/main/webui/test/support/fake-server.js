// A small v2 server for loop tests, built from the same modules with role 'server': the cookie
// handshake (Retry, then a signed KeyReply with a secret wrapped to the client's key), then one
// SecureChannel. It welcomes the client as the relay does (`welcome(name)` gives the line) and answers
// each message through `onText(text)` (by default it echoes it). It keeps everything it received, for the tests to inspect.
//
// When it welcomes: `welcomeOn: 'keyOffer'` with the KeyReply, as the relay did at first; `'firstRecord'`
// as the relay does now: the session is unproven until the client's first authenticated record, the
// server sends nothing but Ping answers until then, and forgets an unproven session after 10 s.

import { decodeAppFrame, encodeAppFrame, isAppFrame } from '../../src/protocol/app-frames.js';
import { fromUtf8, utf8 } from '../../src/protocol/bytes.js';
import { SecureChannel } from '../../src/protocol/channel.js';
import { decode, encode, transcriptHash } from '../../src/protocol/codec.js';
import { importSessionSecret } from '../../src/protocol/key-schedule.js';
import { TokenBucket } from '../../src/protocol/token-bucket.js';

/** How long the relay keeps a v2 session that has not sent an authenticated record. */
const UNPROVEN_TIMEOUT_MS = 10_000;

export const LIMITS = {
  messagesPerSecond: 10, burst: 20, maxMessageBytes: 65_536, idleTimeoutSeconds: 180, keepaliveSeconds: 10,
};

export class FakeServer {
  #tasks = Promise.resolve();
  #timer = null;

  /** Texts received, in order. */
  texts = [];
  /** App frames received, decoded, in order. */
  frames = [];
  /** Frames received that were not Data ('hello', 'keyOffer', ...) and the inner kinds of Data. */
  events = [];
  channel = null;
  closedByClient = false;

  /** Whether the client has sent a record that authenticated (the server then welcomed it). */
  proven = false;

  constructor({ link, clock, identity, limits = LIMITS, onText, onFrame = () => {}, wallClock = () => 1767225600000, welcome = (name) => `* you are ${name}; /help lists commands`,
    welcomeOn = 'keyOffer' }) {
    this.link = link;
    this.clock = clock;
    this.identity = identity;
    this.limits = limits;
    this.onText = onText ?? ((text) => this.send(`echo: ${text}`));
    this.onFrame = onFrame;
    /** The relay's clock, ms since the epoch: the time its Notice frames carry. */
    this.wallClock = wallClock;
    this.welcome = welcome;
    this.welcomeOn = welcomeOn;
    this.cookie = globalThis.crypto.getRandomValues(new Uint8Array(16));
    link.onDatagram((datagram) => this.#run(() => this.#receive(datagram)));
  }

  /** An Ed25519 identity: `{ privateKey, publicKey (SubjectPublicKeyInfo DER) }`. */
  static async identity() {
    const pair = await globalThis.crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    return {
      privateKey: pair.privateKey,
      publicKey: new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', pair.publicKey)),
    };
  }

  settled() {
    return this.#tasks;
  }

  /**
   * Queues a text to the client, as the relay sends a message or a notice; to a client that asked for the
   * framed feature, as a Notice frame (stamped `noticeTime`).
   */
  send(text) {
    if (this.framed) {
      this.sendFrame({ type: 'notice', timeMillis: this.wallClock(), text });
      return;
    }
    this.channel.offer(utf8(text));
    this.#run(() => this.#flush());
  }

  /** Queues an app frame (app-frames.js) to the client. */
  sendFrame(frame) {
    this.channel.offer(encodeAppFrame(frame));
    this.#run(() => this.#flush());
  }



  /** Sends Close now, as the relay does after "/quit" (an Ack of everything first). */
  close() {
    return this.#run(async () => {
      const now = this.clock.now();
      this.link.send(await this.channel.ackNow(now));
      this.link.send(await this.channel.close(now));
    });
  }

  /** A KeyReply for this KeyOffer, signed by `identity`; `wrapTo` overrides the key the secret is wrapped to. */
  async keyReply(offerDatagram, { identity = this.identity, secret, wrapTo } = {}) {
    const subtle = globalThis.crypto.subtle;
    const offer = decode(offerDatagram);
    const clientKey = await subtle.importKey('spki', wrapTo ?? offer.clientPublicKey,
      { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    const unsigned = {
      type: 'keyReply',
      serverNonce: globalThis.crypto.getRandomValues(new Uint8Array(32)),
      sessionId: globalThis.crypto.getRandomValues(new Uint8Array(8)),
      serverIdentityKey: identity.publicKey,
      wrappedSecret: new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, clientKey, secret)),
      limits: this.limits,
      signature: new Uint8Array(0),
    };
    const hash = await transcriptHash(offerDatagram, unsigned);
    const signature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, identity.privateKey, hash));
    return { datagram: encode({ ...unsigned, signature }), reply: unsigned, hash };
  }

  #run(task) {
    this.#tasks = this.#tasks.then(task);
    return this.#tasks;
  }

  async #receive(datagram) {
    const frame = decode(datagram);
    if (frame.type === 'hello') {
      this.events.push('hello');
      this.link.send(encode({ type: 'retry', clientNonce: frame.clientNonce, cookie: this.cookie }));
    } else if (frame.type === 'keyOffer') {
      this.events.push('keyOffer');
      await this.#accept(datagram, frame);
    } else if (frame.type === 'data' && this.channel !== null) {
      await this.#record(frame);
    }
  }

  async #accept(datagram, offer) {
    if (this.offerNonce !== undefined && this.offerNonce.every((b, i) => b === offer.clientNonce[i])) {
      // The KeyOffer again (our reply was lost, or the link duplicated it): the same reply, the same
      // session, as the relay answers (V2Ingress.onKeyOffer).
      this.link.send(this.reply);
      return;
    }
    this.offerNonce = offer.clientNonce;
    const secret = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const { datagram: reply, reply: fields, hash } = await this.keyReply(datagram, { secret });
    const now = this.clock.now();
    this.channel = await SecureChannel.create({
      role: 'server', sessionId: fields.sessionId, secretKey: await importSessionSecret(secret.slice()),
      transcriptHash: hash, pacer: new TokenBucket(0, 1, now), keepalive: this.limits.keepaliveSeconds * 1000, now,
    });
    this.reply = reply;
    this.name = offer.name;
    this.offer = offer;
    this.framed = offer.extensions?.framed ?? false;
    this.link.send(reply);
    if (this.welcomeOn === 'keyOffer') {
      this.#prove();
    } else {
      const unproven = this.channel;
      this.clock.setTimeout(() => {
        if (!this.proven && this.channel === unproven) {
          this.events.push('forgotten');
          this.channel = null;
        }
      }, UNPROVEN_TIMEOUT_MS);
    }
  }

  #prove() {
    this.proven = true;
    this.send(this.welcome(this.name));
  }

  async #record(frame) {
    let inbound;
    try {
      inbound = await this.channel.open(frame, this.clock.now());
    } catch (e) {
      this.events.push(`dropped:${e.reason}`);
      return;
    }
    if (inbound.ping) {
      this.events.push('ping');
    }
    if (!this.proven) {
      this.#prove();
    }
    for (const message of inbound.messages) {
      if (isAppFrame(message)) {
        const frame = decodeAppFrame(message);
        this.frames.push(frame);
        this.onFrame(frame);
        continue;
      }
      const text = fromUtf8(message);
      this.texts.push(text);
      this.onText(text);
    }
    if (inbound.closed) {
      this.closedByClient = true;
      return;
    }
    await this.#flush();
  }

  async #flush() {
    if (this.channel.closed) {
      return;
    }
    const now = this.clock.now();
    for (const datagram of await this.channel.poll(now)) {
      this.link.send(datagram);
    }
    if (this.#timer !== null) {
      this.clock.clearTimeout(this.#timer);
    }
    const wake = this.channel.nextWake(now);
    this.#timer = wake === Infinity ? null
      : this.clock.setTimeout(() => this.#run(() => this.#flush()), Math.max(0, wake - now));
  }
}
