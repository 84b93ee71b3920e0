// One end of an established v2 session (Java: SecureChannel), the same code for either role: record
// protection with sequence-number nonces, the replay window, key updates, and the reliable layer inside
// (docs/PROTOCOL.md, "Record protection", "Key update", "Inner frames", "Liveness"). Datagrams in
// (open), datagrams out (poll); time is passed in, in milliseconds.
//
// WebCrypto is asynchronous, so every method that seals or opens returns a promise. Calls must not
// overlap: the owner runs them one after another (ChatClient queues them), as the Java owner holds a lock.

import { concat, equal } from './bytes.js';
import { FrameError, dataHeader } from './codec.js';
import {
  MAX_GENERATIONS_AHEAD, MAX_MESSAGE, REKEY_AFTER_MESSAGES, REKEY_AFTER_MS,
} from './constants.js';
import { SequencedAead } from './aead.js';
import { deriveKeyMaterial, nextSalt } from './key-schedule.js';
import { CLOSE, PING, decodeReliable, encodeReliable } from './reliable-codec.js';
import { ReliableReceiver } from './reliable-receiver.js';
import { ReliableSender } from './reliable-sender.js';
import { ReplayWindow } from './replay-window.js';

export class SecureChannel {
  #role;
  #sessionId;
  #secretKey;
  #subtle;
  #sender;
  #receiver = new ReliableReceiver();
  #keepalive;
  #rekeyAfterMessages;
  #rekeyAfter;

  #sendSalt;
  #sendGeneration = 0;
  #sealer;
  #sendSequence = 0;
  #sendGenerationStart;

  #receiveSalt;
  #receiveGeneration = 0;
  #opener;
  #replay;

  #lastSent;
  #lastReceived;
  #closed = false;
  #pongDue = false;

  /** Use SecureChannel.create: deriving the first keys is asynchronous. */
  constructor(fields) {
    this.#role = fields.role;
    this.#sessionId = fields.sessionId;
    this.#secretKey = fields.secretKey;
    this.#subtle = fields.subtle;
    this.#sender = new ReliableSender(fields.pacer);
    this.#keepalive = fields.keepalive;
    this.#rekeyAfterMessages = fields.rekeyAfterMessages;
    this.#rekeyAfter = fields.rekeyAfter;
    this.#sendSalt = fields.transcriptHash;
    this.#receiveSalt = fields.transcriptHash;
    this.#sealer = fields.sealer;
    this.#opener = fields.opener;
    this.#replay = fields.replay;
    this.#sendGenerationStart = fields.now;
    this.#lastSent = fields.now;
    this.#lastReceived = fields.now;
  }

  /**
   * @param role 'client' or 'server'
   * @param sessionId the 8-byte session id of the KeyReply
   * @param secretKey the session secret as an HKDF CryptoKey (importSessionSecret)
   * @param transcriptHash the handshake's transcript hash, generation 0's salt
   * @param pacer a TokenBucket for new messages (the client's is the server's stated rate)
   * @param keepalive ms without sending after which a client sends a Ping
   */
  static async create({ role, sessionId, secretKey, transcriptHash, pacer, keepalive, now,
    rekeyAfterMessages = REKEY_AFTER_MESSAGES, rekeyAfter = REKEY_AFTER_MS, subtle = globalThis.crypto.subtle }) {
    const keys = await deriveKeyMaterial(secretKey, transcriptHash, subtle);
    const [outbound, inbound] = role === 'client' ? [keys.c2s, keys.s2c] : [keys.s2c, keys.c2s];
    return new SecureChannel({
      role, sessionId, secretKey, subtle, pacer, keepalive, rekeyAfterMessages, rekeyAfter, now,
      transcriptHash: transcriptHash.slice(),
      sealer: await SequencedAead.import(outbound, subtle),
      opener: await SequencedAead.import(inbound, subtle),
      replay: new ReplayWindow(),
    });
  }

  /** Queues a message (bytes, at most 64 KiB) for reliable, ordered delivery; false if the queue is full. */
  offer(message) {
    if (message.length > MAX_MESSAGE) {
      throw new RangeError(`a v2 message is at most ${MAX_MESSAGE} bytes`);
    }
    return this.#sender.offer(message);
  }

  /**
   * Authenticates and processes one decoded Data frame, in the order "Record protection" gives, so
   * that nothing a forger sends changes any state. Resolves with `{ messages, closed, ping }`; rejects with a
   * FrameError carrying the drop reason for anything that is not a valid fresh record. `ping` is true for
   * a Ping.
   */
  async open(frame, now) {
    if (!equal(frame.sessionId, this.#sessionId)) {
      throw new FrameError('unknown_session');
    }
    // "Key update": up to three generations ahead, so a generation whose records were all lost does not
    // stall the direction; older or further is refused.
    const ahead = (frame.keyPhase - this.#receiveGeneration) & 0xff;
    if (ahead > MAX_GENERATIONS_AHEAD) {
      throw new FrameError('replayed');
    }
    let salt = this.#receiveSalt;
    let aead = this.#opener;
    let window = this.#replay;
    if (ahead > 0) {
      for (let g = 1; g <= ahead; g++) {
        salt = await nextSalt(salt, this.#receiveGeneration + g, this.#subtle);
      }
      const keys = await deriveKeyMaterial(this.#secretKey, salt, this.#subtle);
      aead = await SequencedAead.import(this.#role === 'client' ? keys.s2c : keys.c2s, this.#subtle);
      window = new ReplayWindow();
    }
    if (!window.wouldAccept(frame.sequence)) {
      throw new FrameError('replayed');
    }
    let inner;
    try {
      inner = await aead.open(frame.sequence, dataHeader(frame.sessionId, frame.keyPhase, frame.sequence),
        frame.ciphertext);
    } catch {
      throw new FrameError('auth_failed');
    }
    if (!window.markSeen(frame.sequence)) {
      throw new FrameError('replayed');
    }
    if (ahead > 0) {
      // only an authenticated record moves this end to a new generation; the old one is forgotten
      this.#receiveGeneration += ahead;
      this.#receiveSalt = salt;
      this.#opener = aead;
      this.#replay = window;
    }
    this.#lastReceived = now;
    return this.#deliver(inner, now);
  }

  #deliver(inner, now) {
    if (inner.length === 1 && inner[0] === PING) {
      // "Inner frames": the server answers each Ping, so a client in a quiet room still hears it is alive
      this.#pongDue = this.#role === 'server';
      return { messages: [], closed: false, ping: true };
    }
    if (inner.length === 1 && inner[0] === CLOSE) {
      this.#closed = true;
      return { messages: [], closed: true };
    }
    let frame;
    try {
      frame = decodeReliable(inner);
    } catch {
      throw new FrameError('malformed_frame');
    }
    if (frame.type === 'ack') {
      this.#sender.onAck(frame, now);
      return { messages: [], closed: false };
    }
    return { messages: this.#receiver.onData(frame, now), closed: false };
  }

  /** The datagrams to send now: due retransmissions, new fragments, a due Ack, a keepalive Ping. */
  async poll(now) {
    const out = [];
    if (this.#closed) {
      return out;
    }
    for (const data of this.#sender.poll(now)) {
      out.push(await this.#seal(encodeReliable(data), now));
    }
    const ack = this.#receiver.pollAck(now);
    if (ack !== null) {
      out.push(await this.#seal(encodeReliable(ack), now));
    }
    // "Liveness": the client pings when it has sent nothing for keepalive_seconds
    if (this.#role === 'client' && out.length === 0 && now - this.#lastSent >= this.#keepalive) {
      out.push(await this.#seal(Uint8Array.of(PING), now));
    }
    if (this.#pongDue) {
      this.#pongDue = false;
      if (out.length === 0) {
        out.push(await this.#seal(Uint8Array.of(PING), now));
      }
    }
    return out;
  }

  /** A Ping record now, whatever the keepalive timer says: the client's key confirmation (ChatClient). */
  async ping(now) {
    return this.#seal(Uint8Array.of(PING), now);
  }

  /** An Ack of everything received so far, whether or not one is due. */
  async ackNow(now) {
    return this.#seal(encodeReliable(this.#receiver.window.currentAck()), now);
  }

  /** A Close record: the peer ends the session on receipt, and this end sends nothing more. */
  async close(now) {
    this.#closed = true;
    return this.#seal(Uint8Array.of(CLOSE), now);
  }

  /** When poll() must next run. */
  nextWake(now) {
    let next = this.#pongDue ? now : Math.min(this.#sender.nextWake(now), this.#receiver.nextWake);
    if (this.#role === 'client') {
      next = Math.min(next, this.#lastSent + this.#keepalive);
    }
    return next;
  }

  /** Every message offered has been delivered and acknowledged. */
  get allAcknowledged() {
    return this.#sender.allAcknowledged;
  }

  /** `{ cause, sequence }` once the reliable layer gave up (the peer stopped acknowledging), else null. */
  get failure() {
    return this.#sender.failure;
  }

  get closed() {
    return this.#closed;
  }

  get lastReceived() {
    return this.#lastReceived;
  }

  get sendGeneration() {
    return this.#sendGeneration;
  }

  get receiveGeneration() {
    return this.#receiveGeneration;
  }

  async #seal(inner, now) {
    // "Key update": after rekey_after_messages records or an hour, the next record opens a new generation
    if (this.#sendSequence >= this.#rekeyAfterMessages || now - this.#sendGenerationStart >= this.#rekeyAfter) {
      const generation = this.#sendGeneration + 1;
      const salt = await nextSalt(this.#sendSalt, generation, this.#subtle);
      const keys = await deriveKeyMaterial(this.#secretKey, salt, this.#subtle);
      this.#sealer = await SequencedAead.import(this.#role === 'client' ? keys.c2s : keys.s2c, this.#subtle);
      this.#sendGeneration = generation;
      this.#sendSalt = salt;
      this.#sendSequence = 0;
      this.#sendGenerationStart = now;
    }
    const sequence = this.#sendSequence++;
    const header = dataHeader(this.#sessionId, this.#sendGeneration & 0xff, sequence);
    const sealed = await this.#sealer.seal(sequence, header, inner);
    this.#lastSent = now;
    return concat(header, sealed);
  }
}
