// The receiving half of one direction's reliability (docs/PROTOCOL.md, "Reliable delivery", windows and
// acks; Java: ReceiveWindow): drops sequences already seen, buffers up to 64 past the cumulative ack,
// releases fragments in sequence order exactly once, and decides when to ack. An in-order fragment is
// acked after 25 ms or with the eighth unacked one (fewer acks than TCP's every second: v2 has no congestion window);
// an out-of-order, duplicate or beyond-window fragment, or one that fills a gap, is acked at once, and the
// ack of a filled gap once more after the ack delay.

import { ACK_EVERY_FRAGMENTS, DELAYED_ACK_MS, MAX_ACK_RANGES, RECEIVE_WINDOW } from './constants.js';

export class ReceiveWindow {
  #window;
  #maxAckRanges;
  #delayedAck;
  #ackEvery;
  #repeatAck = false;
  /** Sequence → Data frame, for fragments that came ahead of a gap. */
  #early = new Map();
  #cumulative = 0;
  #unackedInOrder = 0;
  #ackDueAt = Infinity;

  constructor({ window = RECEIVE_WINDOW, maxAckRanges = MAX_ACK_RANGES, delayedAck = DELAYED_ACK_MS,
    ackEvery = ACK_EVERY_FRAGMENTS } = {}) {
    this.#window = window;
    this.#maxAckRanges = maxAckRanges;
    this.#delayedAck = delayedAck;
    this.#ackEvery = ackEvery;
  }

  /**
   * Takes one Data frame: `{ outcome, released }`, outcome 'in_order', 'out_of_order', 'duplicate' or
   * 'beyond_window', released the frames now deliverable in sequence order.
   */
  receive(data, now) {
    const sequence = data.sequence;
    if (sequence < this.#cumulative || this.#early.has(sequence)) {
      this.#ackNow(now); // its ack may have been lost: say again what we have
      return { outcome: 'duplicate', released: [] };
    }
    if (sequence >= this.#cumulative + this.#window) {
      this.#ackNow(now);
      return { outcome: 'beyond_window', released: [] };
    }
    if (sequence > this.#cumulative) {
      this.#early.set(sequence, data);
      this.#ackNow(now);
      return { outcome: 'out_of_order', released: [] };
    }
    const fillsGap = this.#early.size > 0;
    const released = [data];
    this.#cumulative++;
    for (let next = this.#early.get(this.#cumulative); next !== undefined; next = this.#early.get(this.#cumulative)) {
      this.#early.delete(this.#cumulative);
      released.push(next);
      this.#cumulative++;
    }
    this.#unackedInOrder++;
    if (fillsGap) {
      this.#ackNow(now);
      this.#repeatAck = true;
    } else if (this.#unackedInOrder >= this.#ackEvery) {
      this.#ackNow(now);
    } else {
      this.#ackDueAt = Math.min(this.#ackDueAt, now + this.#delayedAck);
    }
    return { outcome: 'in_order', released };
  }

  /** When an Ack is due; Infinity when none is. */
  get ackDueAt() {
    return this.#ackDueAt;
  }

  /** The Ack to send if one is due at `now`, else null; taking it resets the ack timer. */
  pollAck(now) {
    if (now < this.#ackDueAt) {
      return null;
    }
    // The ack of a filled gap goes again after the ack delay: the sender's window likely hangs on it, and
    // if it were lost the sender would learn of the repair only at a backed-off RTO.
    this.#ackDueAt = this.#repeatAck ? now + this.#delayedAck : Infinity;
    this.#repeatAck = false;
    this.#unackedInOrder = 0;
    return this.currentAck();
  }

  /**
   * What this side has received: the cumulative ack and the buffered sequences as ranges, lowest first,
   * at most 32 of them (the lowest are the ones the sender most needs to hear about).
   */
  currentAck() {
    const ranges = [];
    const buffered = [...this.#early.keys()].sort((a, b) => a - b);
    for (const s of buffered) {
      const last = ranges[ranges.length - 1];
      if (last !== undefined && s === last.last + 1) {
        last.last = s;
      } else if (ranges.length < this.#maxAckRanges) {
        ranges.push({ first: s, last: s });
      } else {
        break;
      }
    }
    return { type: 'ack', cumulative: this.#cumulative, ranges };
  }

  /** The next sequence expected: every one below it has been released. */
  get cumulative() {
    return this.#cumulative;
  }

  get bufferedCount() {
    return this.#early.size;
  }

  #ackNow(now) {
    this.#ackDueAt = Math.min(this.#ackDueAt, now);
  }
}
