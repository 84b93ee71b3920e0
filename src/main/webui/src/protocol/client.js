// A v2 participant over any datagram link (Java: cli/V2Connection): the cookie handshake with
// retries, the caller's trust decision on the server's fingerprint, the key confirmation, then one
// SecureChannel driven by a timer: it receives, acknowledges, retransmits, paces to the server's limits,
// keeps the session alive and notices when the server is gone (docs/PROTOCOL.md, "State machines", client).
//
// Key confirmation: a new v2 session is unproven until the server receives its client's first
// authenticated record, and only then does the server name it and send it anything but Ping answers
// (its first message is the welcome). So once the keys are trusted the client sends a Ping at once, and
// again after 1 s, 2 s, 4 s... until the first message arrives; that message, not the KeyReply, is when
// it is connected. A server that welcomes at once (before this rule) is met the same way.
//
// The link is `{ send(Uint8Array), onDatagram(callback), close(), onClose?(callback) }`: a UDP socket,
// or a WebSocket carrying one datagram per binary frame. Time comes from an injected clock
// `{ now(), setTimeout(fn, ms), clearTimeout(id) }` in milliseconds, so tests need not sleep.

import { AppFrameError, decodeAppFrame, encodeAppFrame, isAppFrame } from './app-frames.js';
import { fromUtf8, utf8 } from './bytes.js';
import { SecureChannel } from './channel.js';
import { decode } from './codec.js';
import { MAX_MESSAGE } from './constants.js';
import { ClientHandshake, HandshakeError } from './handshake.js';
import { TokenBucket } from './token-bucket.js';

export const realClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

/**
 * Why a session ended, or why a call was refused. `code` is one of:
 * unreachable (no handshake answer, or no first message after it), untrusted (the caller refused the fingerprint), server_closed (the
 * server sent Close, e.g. after /quit), closed (close() was called), gave_up (the server stopped
 * acknowledging), idle (nothing heard for idle_timeout_seconds), link_closed (the transport went away),
 * too_long (over max_message_bytes; `bytes` and `max` say by how much), queue_full, not_open, error.
 */
export class ChatError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'ChatError';
    this.code = code;
    Object.assign(this, details);
  }
}

const MESSAGES = {
  unreachable: 'no answer from the server',
  untrusted: 'the server identity was refused',
  server_closed: 'the server ended the session',
  closed: 'the session was closed',
  gave_up: 'the server stopped acknowledging messages',
  idle: 'nothing heard from the server',
  link_closed: 'the connection to the server closed',
  error: 'the session failed',
};

export class ChatClient {
  #link;
  #name;
  #clock;
  #crypto;
  #onText;
  #onFrame;
  #extensions;
  #onClose;
  #handshakeTimeout;
  #handshakeRetry;
  #offerAttempts;
  #confirmTimeout;

  /**
   * idle → handshaking → confirming (keys trusted, Pings out, no message yet) → open (a member: the first
   * message arrived) → closed; closed is final.
   */
  #state = 'idle';
  #tasks = Promise.resolve();
  #timer = null;
  #trust = null;
  #connected = null;
  #handshakeStart = null;
  #handshake = null;
  #pending = null;
  #pendingSends = 0;
  #channel = null;
  #limits = null;
  #fingerprint = null;
  #idleTimeout = 0;
  /** While confirming: when the next Ping goes, the wait after it, and when to stop waiting. */
  #confirmPingAt = 0;
  #confirmPingDelay = 0;
  #confirmDeadline = 0;

  /**
   * @param link the datagram link to the server
   * @param name the username to request
   * @param onText called with each text line the server sends (messages and "* " notices)
   * @param onFrame called with each app frame the server sends (docs/PROTOCOL.md, "App frames"), decoded;
   *   a message that is one but does not decode is dropped, as the relay drops one
   * @param extensions async ({ cookie, clientNonce, clientPublicKey, name }) => the KeyOffer extensions'
   *   bytes (key-offer-extensions.js), asked for each KeyOffer: the identity proof signs these fields
   * @param onClose called once when the session ends, with a ChatError saying why
   * @param handshakeTimeout ms to wait for the handshake before giving up as unreachable
   * @param handshakeRetry ms before an unanswered Hello or KeyOffer is sent again
   * @param offerAttempts KeyOffers sent before starting over with a new Hello (the cookie may have expired)
   * @param confirmTimeout ms after the KeyReply to wait for the first message (the server forgets an
   *   unproven session after about 10 s, so Pings past that are wasted) before giving up as unreachable
   */
  constructor({ link, name, clock = realClock, crypto = globalThis.crypto, onText = () => {}, onFrame = () => {},
    extensions = async () => new Uint8Array(0), onClose = () => {}, handshakeTimeout = 10_000, handshakeRetry = 1000, offerAttempts = 3, confirmTimeout = 10_000 }) {
    this.#link = link;
    this.#name = name;
    this.#clock = clock;
    this.#crypto = crypto;
    this.#onText = onText;
    this.#onFrame = onFrame;
    this.#extensions = extensions;
    this.#onClose = onClose;
    this.#handshakeTimeout = handshakeTimeout;
    this.#handshakeRetry = handshakeRetry;
    this.#offerAttempts = offerAttempts;
    this.#confirmTimeout = confirmTimeout;
    link.onDatagram((datagram) => this.#run(() => this.#receive(datagram)));
    link.onClose?.(() => this.#run(() => this.#end('link_closed')));
  }

  /**
   * Runs the handshake and the key confirmation. `trust(fingerprint)` (may return a promise) decides whether
   * the server's identity is accepted; it is asked before anything but the handshake is sent, and a refusal
   * closes the session. Resolves with the fingerprint once the session is open, when the server's first
   * message has arrived (and gone to onText); rejects with the ChatError that ended it.
   */
  connect({ trust = () => true } = {}) {
    if (this.#state !== 'idle') {
      return Promise.reject(new ChatError('not_open', 'connect() is called once'));
    }
    this.#state = 'handshaking';
    this.#trust = trust;
    const connected = new Promise((resolve, reject) => {
      this.#connected = { resolve, reject };
    });
    this.#run(() => this.#startHandshake());
    return connected;
  }

  /**
   * Queues one line (a message or a command) for reliable delivery. Throws a ChatError: not_open before
   * the session is open or after it ended, too_long over the server's max_message_bytes, queue_full when
   * 1 MiB is already waiting.
   */
  sendText(text) {
    if (this.#state !== 'open') {
      throw new ChatError('not_open', 'not connected');
    }
    this.#offer(utf8(text));
  }

  /**
   * Queues one app frame (`{ type: 'seal' | 'getBundle' | 'publishPrekey', ... }`, app-frames.js): only for
   * a session that asked for the framed feature. Throws as sendText does.
   */
  sendFrame(frame) {
    if (this.#state !== 'open') {
      throw new ChatError('not_open', 'not connected');
    }
    this.#offer(encodeAppFrame(frame));
  }

  #offer(bytes) {
    const max = Math.min(this.#limits.maxMessageBytes, MAX_MESSAGE);
    if (bytes.length > max) {
      throw new ChatError('too_long', `message of ${bytes.length} bytes is over the server's limit of ${max}`,
        { bytes: bytes.length, max });
    }
    if (!this.#channel.offer(bytes)) {
      throw new ChatError('queue_full', 'too many messages are waiting to be sent');
    }
    this.#run(() => this.#flush());
  }

  /** Ends the session; a keyed one is told with a Close record. Resolves once that is sent. */
  close() {
    return this.#run(async () => {
      if (this.#state === 'confirming' || this.#state === 'open') {
        this.#link.send(await this.#channel.close(this.#clock.now()));
      }
      this.#end('closed');
    });
  }

  /** 'idle', 'handshaking', 'confirming', 'open' or 'closed'. */
  get state() {
    return this.#state;
  }

  /** The server's fingerprint once the handshake verified, else null. */
  get fingerprint() {
    return this.#fingerprint;
  }

  /** The limits the server stated in its KeyReply, once connected. */
  get limits() {
    return this.#limits;
  }

  /** Every message sent so far has been acknowledged by the server. */
  get allAcknowledged() {
    return this.#channel !== null && this.#channel.allAcknowledged;
  }

  /** Resolves once everything queued so far (datagrams in, timers, sends) has been processed. */
  settled() {
    return this.#tasks;
  }

  /**
   * Runs `task` after every task before it: the channel's calls never overlap, and datagrams are handled
   * in arrival order. A task that throws ends the session.
   */
  #run(task) {
    this.#tasks = this.#tasks.then(task).catch((error) => this.#end('error', error));
    return this.#tasks;
  }

  async #startHandshake() {
    if (this.#state !== 'handshaking') {
      return;
    }
    this.#handshakeStart ??= this.#clock.now(); // the timeout covers every restart
    this.#handshake = await ClientHandshake.create(this.#name, this.#crypto);
    this.#sendPending(this.#handshake.hello());
  }

  /** Sends a handshake datagram and keeps it to send again if no answer comes ("Loss"). */
  #sendPending(datagram) {
    this.#pending = datagram;
    this.#pendingSends = 1;
    this.#link.send(datagram);
    this.#schedule(this.#clock.now() + this.#handshakeRetry);
  }

  async #handshakeTimer() {
    if (this.#state !== 'handshaking') {
      return;
    }
    if (this.#clock.now() - this.#handshakeStart >= this.#handshakeTimeout) {
      this.#end('unreachable');
    } else if (this.#handshake.offered && this.#pendingSends >= this.#offerAttempts) {
      await this.#startHandshake(); // "still none (the cookie may have expired): START, new nonce"
    } else {
      this.#pendingSends++;
      this.#link.send(this.#pending);
      this.#schedule(this.#clock.now() + this.#handshakeRetry);
    }
  }

  async #receive(datagram) {
    if (this.#state === 'idle' || this.#state === 'closed') {
      return;
    }
    let frame;
    try {
      frame = decode(datagram);
    } catch {
      return; // malformed or oversize: dropped, as the server drops them
    }
    if (this.#state === 'handshaking') {
      await this.#handshakeAnswer(frame);
    } else if (frame.type === 'data') {
      await this.#record(frame);
    }
  }

  async #handshakeAnswer(frame) {
    if (this.#handshake === null) {
      return;
    }
    if (frame.type === 'retry' && !this.#handshake.offered) {
      const handshake = this.#handshake;
      if (!handshake.answers(frame)) {
        return; // a Retry for another Hello: ignored
      }
      const extensions = await this.#extensions({ cookie: frame.cookie, clientNonce: handshake.clientNonce,
        clientPublicKey: handshake.clientPublicKey, name: handshake.name });
      if (this.#handshake !== handshake || handshake.offered || this.#state !== 'handshaking') {
        return; // started over, or ended, meanwhile
      }
      this.#sendPending(handshake.onRetry(frame, extensions));
    } else if (frame.type === 'keyReply' && this.#handshake.offered) {
      let established;
      try {
        established = await this.#handshake.onKeyReply(frame);
      } catch (e) {
        if (!(e instanceof HandshakeError)) {
          throw e;
        }
        return; // does not verify or unwrap: ignored, the genuine reply may still come (step 4)
      }
      await this.#establish(established);
    }
  }

  async #establish({ sessionId, secretKey, transcriptHash, limits, fingerprint }) {
    this.#fingerprint = fingerprint;
    const trusted = await this.#trust(fingerprint);
    if (this.#state !== 'handshaking') {
      return; // closed while the caller decided
    }
    if (!trusted) {
      // Refused: nothing at all is sent under the keys of a server we do not trust, not even a Close, so
      // it never counts us as having joined; it forgets the session when the connection closes.
      this.#end('untrusted');
      return;
    }
    this.#limits = limits;
    this.#idleTimeout = Math.max(1, limits.idleTimeoutSeconds) * 1000;
    const now = this.#clock.now();
    this.#channel = await SecureChannel.create({
      role: 'client', sessionId, secretKey, transcriptHash, now, subtle: this.#crypto.subtle,
      pacer: new TokenBucket(limits.messagesPerSecond, limits.burst, now),
      keepalive: Math.max(1, limits.keepaliveSeconds) * 1000,
    });
    this.#state = 'confirming';
    this.#confirmPingAt = now;
    this.#confirmPingDelay = this.#handshakeRetry;
    this.#confirmDeadline = now + this.#confirmTimeout;
    await this.#flush();
  }

  async #record(frame) {
    let inbound;
    try {
      inbound = await this.#channel.open(frame, this.#clock.now());
    } catch {
      return; // replayed, forged or malformed: dropped silently, whatever the reason
    }
    for (const message of inbound.messages) {
      let decoded;
      try {
        decoded = isAppFrame(message) ? decodeAppFrame(message) : fromUtf8(message);
      } catch (e) {
        if (e instanceof AppFrameError || e instanceof TypeError) {
          continue; // not UTF-8, or a malformed app frame: dropped, as the server drops such a message
        }
        throw e;
      }
      if (this.#state === 'confirming') {
        this.#state = 'open'; // the server's first message: we are a member
        this.#connected.resolve(this.#fingerprint);
      }
      if (typeof decoded === 'string') {
        this.#onText(decoded);
      } else {
        this.#onFrame(decoded);
      }
    }
    if (inbound.closed) {
      this.#end('server_closed');
      return;
    }
    await this.#flush();
  }

  /** Sends what is due now, checks liveness, and sets the timer for the next thing due. */
  async #flush() {
    if (this.#state !== 'confirming' && this.#state !== 'open') {
      return;
    }
    const now = this.#clock.now();
    if (this.#state === 'confirming' && !(await this.#confirmKeys(now))) {
      return;
    }
    if (now - this.#channel.lastReceived > this.#idleTimeout) {
      await this.#giveUp('idle');
      return;
    }
    for (const datagram of await this.#channel.poll(now)) {
      this.#link.send(datagram);
    }
    if (this.#channel.failure !== null) {
      await this.#giveUp('gave_up');
      return;
    }
    let wake = Math.min(this.#channel.nextWake(now), this.#channel.lastReceived + this.#idleTimeout + 1);
    if (this.#state === 'confirming') {
      wake = Math.min(wake, this.#confirmPingAt, this.#confirmDeadline);
    }
    this.#schedule(wake);
  }

  /**
   * While no message has come: a Ping when one is due (1 s, then doubling), so that a lost one does not
   * leave the session unproven; false once it is too late (the session has ended).
   */
  async #confirmKeys(now) {
    if (now >= this.#confirmDeadline) {
      // No Close: a server that never heard a record of ours has forgotten the session by now.
      this.#end('unreachable');
      return false;
    }
    if (now >= this.#confirmPingAt) {
      this.#link.send(await this.#channel.ping(now));
      this.#confirmPingAt = now + this.#confirmPingDelay;
      this.#confirmPingDelay *= 2;
    }
    return true;
  }

  /** "Giving up": the end that notices closes the session; a Close tells the server if it is still there. */
  async #giveUp(reason) {
    this.#link.send(await this.#channel.close(this.#clock.now()));
    this.#end(reason);
  }

  #schedule(at) {
    if (this.#timer !== null) {
      this.#clock.clearTimeout(this.#timer);
    }
    const task = this.#state === 'handshaking' ? () => this.#handshakeTimer() : () => this.#flush();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#run(task);
    }, Math.max(0, at - this.#clock.now()));
  }

  #end(code, cause) {
    if (this.#state === 'closed') {
      return;
    }
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    if (this.#timer !== null) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#handshake = null;
    this.#link.close();
    const error = new ChatError(code, MESSAGES[code], cause === undefined ? {} : { cause });
    if (!wasOpen && this.#connected !== null) {
      this.#connected.reject(error);
    }
    this.#onClose(error);
  }
}
