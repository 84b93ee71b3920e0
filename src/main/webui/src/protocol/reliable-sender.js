// One direction's outbound message pipeline (Java: ReliableSender): queues messages, splits them into
// fragments, paces new messages to the server's stated rate and feeds fragments into the SendWindow as
// it has room. Pacing takes one token per message, when its first fragment is sent, so a 64 KiB message
// costs what a one-line message costs; retransmissions take none (docs/PROTOCOL.md, "Limits and pacing").

import { MAX_SEND_QUEUE_BYTES } from './constants.js';
import { Fragmenter } from './fragmenter.js';
import { RttEstimator } from './rtt-estimator.js';
import { SendWindow } from './send-window.js';

export class ReliableSender {
  #fragmenter;
  #window;
  #pacer;
  #maxQueuedBytes;
  /** Fragments not yet sent, message after message; a message's first fragment waits for a token. */
  #queued = [];
  #queuedBytes = 0;

  constructor(pacer, { fragmenter = new Fragmenter(), window = new SendWindow(new RttEstimator()),
    maxQueuedBytes = MAX_SEND_QUEUE_BYTES } = {}) {
    this.#fragmenter = fragmenter;
    this.#window = window;
    this.#pacer = pacer;
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  /**
   * Queues `message` (bytes); false when 1 MiB is already queued ahead of the window ("Send queue":
   * back-pressure to the caller).
   */
  offer(message) {
    if (this.#queuedBytes + message.length > this.#maxQueuedBytes && this.#queued.length > 0) {
      return false;
    }
    this.#queued.push(...this.#fragmenter.split(message));
    this.#queuedBytes += message.length;
    return true;
  }

  /** The Data frames to send now: retransmissions that are due, then new fragments as window and pacer allow. */
  poll(now) {
    const out = this.#window.retransmissionsDue(now);
    while (this.#queued.length > 0 && this.#window.hasRoom) {
      const next = this.#queued[0];
      if (next.index === 0 && !this.#pacer.tryTake(now)) {
        break;
      }
      this.#queued.shift();
      this.#queuedBytes -= next.payload.length;
      out.push(this.#window.send(next, now));
    }
    return out;
  }

  onAck(ack, now) {
    return this.#window.onAck(ack, now);
  }

  /** The latest time poll() must run again: a timer, or the next token when a message waits for one. */
  nextWake(now) {
    let next = this.#window.nextTimeout;
    if (this.#queued.length > 0 && this.#window.hasRoom) {
      const wait = this.#queued[0].index === 0 ? this.#pacer.msUntilToken(now) : 0;
      next = Math.min(next, now + wait);
    }
    return next;
  }

  /** Every message offered was sent and acknowledged; never true after the session was given up. */
  get allAcknowledged() {
    return this.#queued.length === 0 && this.#window.allAcknowledged;
  }

  /** `{ cause, sequence }` once the session was given up, else null. */
  get failure() {
    const given = this.#window.failure;
    if (given === null && this.#queued.length > 0 && this.#window.sequencesExhausted) {
      return { cause: 'sequence_exhausted', sequence: this.#window.nextSequence };
    }
    return given;
  }

  get window() {
    return this.#window;
  }
}
