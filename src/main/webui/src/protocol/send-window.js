// The sending half of one direction's reliability (docs/PROTOCOL.md, "Reliable delivery"; Java:
// SendWindow): numbers fragments, keeps each until an Ack covers it (cumulatively or selectively),
// retransmits on its timer (RTO doubled per retransmission) or sooner once 3 fragments sent after its
// latest transmission are acknowledged (fast retransmit), and gives the session up after 12
// retransmissions of one fragment or 60 s unacknowledged.
//
// Flow control: nothing at or beyond (oldest unacknowledged + window) is sent, because the receiver
// buffers only that far past its cumulative ack.

import {
  DUPLICATE_THRESHOLD, GIVE_UP_AFTER_MS, MAX_RETRANSMISSIONS, MAX_SEQUENCE, SEND_WINDOW,
} from './constants.js';

export class SendWindow {
  #rtt;
  #window;
  #maxRetransmissions;
  #giveUpAfter;
  #duplicateThreshold;
  /** Sequence → in-flight fragment; sequences are added in increasing order, so the Map is sorted. */
  #unacknowledged = new Map();
  #nextSequence;
  #failure = null;

  constructor(rtt, { window = SEND_WINDOW, maxRetransmissions = MAX_RETRANSMISSIONS,
    giveUpAfter = GIVE_UP_AFTER_MS, duplicateThreshold = DUPLICATE_THRESHOLD, firstSequence = 0 } = {}) {
    this.#rtt = rtt;
    this.#window = window;
    this.#maxRetransmissions = maxRetransmissions;
    this.#giveUpAfter = giveUpAfter;
    this.#duplicateThreshold = duplicateThreshold;
    this.#nextSequence = firstSequence;
  }

  /** Whether send() may be called now: window not full, sequences left, session not given up. */
  get hasRoom() {
    return this.#failure === null && this.#nextSequence - this.lowestUnacknowledged < this.#window
      && this.#nextSequence <= MAX_SEQUENCE;
  }

  /** Gives `fragment` the next sequence number and starts its timer; returns the Data frame to send. */
  send(fragment, now) {
    if (!this.hasRoom) {
      throw new RangeError('send window full or session given up');
    }
    const data = {
      type: 'data', sequence: this.#nextSequence, messageId: fragment.messageId,
      fragmentIndex: fragment.index, fragmentCount: fragment.count, payload: fragment.payload,
    };
    this.#unacknowledged.set(data.sequence, {
      data, firstSent: now, lastSent: now, deadline: now + this.#rtt.rto, retransmissions: 0, ackedSentAfter: 0,
    });
    this.#nextSequence++;
    return data;
  }

  /**
   * Applies an Ack: forgets what it covers, takes an RTT sample if Karn allows one, and marks fragments
   * that fast retransmit deems lost. Returns 'progress', 'nothing_new' or 'invalid' (it acknowledges
   * sequences never sent, so it is ignored whole).
   */
  onAck(ack, now) {
    const ranges = ack.ranges;
    if (ack.cumulative > this.#nextSequence
        || (ranges.length > 0 && ranges[ranges.length - 1].last >= this.#nextSequence)) {
      return 'invalid';
    }
    const acked = [];
    for (const [sequence, f] of this.#unacknowledged) {
      if (sequence < ack.cumulative || ranges.some((r) => sequence >= r.first && sequence <= r.last)) {
        acked.push(f);
      }
    }
    if (acked.length === 0) {
      return 'nothing_new';
    }
    let newestSampleable = null;
    for (const f of acked) {
      this.#unacknowledged.delete(f.data.sequence);
      // Karn: the ack of a retransmitted fragment cannot say which transmission it answers
      if (f.retransmissions === 0 && (newestSampleable === null || f.lastSent > newestSampleable.lastSent)) {
        newestSampleable = f;
      }
    }
    if (newestSampleable !== null) {
      this.#rtt.sample(now - newestSampleable.lastSent);
    }
    this.#detectLoss(acked, now);
    return 'progress';
  }

  /** Fast retransmit: a fragment is lost once enough fragments sent after it are acknowledged. */
  #detectLoss(acked, now) {
    for (const f of this.#unacknowledged.values()) {
      for (const a of acked) {
        if (sentAfter(a, f)) {
          f.ackedSentAfter++;
        }
      }
      if (f.ackedSentAfter >= this.#duplicateThreshold) {
        // RFC 8985 section 6.2: allow a quarter round trip of reordering before calling it lost
        const reorderWindow = this.#rtt.srtt * 1.25;
        f.deadline = Math.min(f.deadline, Math.max(now, f.lastSent + reorderWindow));
      }
    }
  }

  /**
   * The Data frames whose timers have run out at `now`, in sequence order, restarted with a doubled
   * timeout. Empty once the session is given up: check `failure` after each call.
   */
  retransmissionsDue(now) {
    const due = [];
    if (this.#failure !== null) {
      return due;
    }
    for (const f of this.#unacknowledged.values()) {
      if (now - f.firstSent >= this.#giveUpAfter) {
        this.#failure = { cause: 'deadline', sequence: f.data.sequence };
        return [];
      }
      if (now < f.deadline) {
        continue;
      }
      if (f.retransmissions >= this.#maxRetransmissions) {
        this.#failure = { cause: 'max_retransmissions', sequence: f.data.sequence };
        return [];
      }
      f.retransmissions++;
      f.lastSent = now;
      f.ackedSentAfter = 0;
      f.deadline = now + this.#rtt.backedOffRto(f.retransmissions);
      due.push(f.data);
    }
    return due;
  }

  /** When retransmissionsDue() next has work (a timer or a give-up deadline); Infinity if never. */
  get nextTimeout() {
    if (this.#failure !== null) {
      return Infinity;
    }
    let next = Infinity;
    for (const f of this.#unacknowledged.values()) {
      next = Math.min(next, f.deadline, f.firstSent + this.#giveUpAfter);
    }
    return next;
  }

  get allAcknowledged() {
    return this.#failure === null && this.#unacknowledged.size === 0;
  }

  get sequencesExhausted() {
    return this.#nextSequence > MAX_SEQUENCE;
  }

  /** `{ cause, sequence }` once the session was given up, else null. */
  get failure() {
    return this.#failure;
  }

  get nextSequence() {
    return this.#nextSequence;
  }

  get unacknowledgedCount() {
    return this.#unacknowledged.size;
  }

  /** The oldest sequence not yet acknowledged, or the next to be sent if all are. */
  get lowestUnacknowledged() {
    for (const sequence of this.#unacknowledged.keys()) {
      return sequence;
    }
    return this.#nextSequence;
  }
}

/** Whether `a`'s latest transmission came after `f`'s (ties go by sequence). */
function sentAfter(a, f) {
  return a.lastSent > f.lastSent || (a.lastSent === f.lastSent && a.data.sequence > f.data.sequence);
}
