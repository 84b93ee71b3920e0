// One direction's inbound message pipeline (Java: ReliableReceiver): Data frames go through the
// ReceiveWindow (dedupe, reorder) and then the Reassembler, so each message arrives once, whole and in
// the order it was sent (docs/PROTOCOL.md, "Reliable delivery").

import { Reassembler } from './reassembler.js';
import { ReceiveWindow } from './receive-window.js';

export class ReliableReceiver {
  #window;
  #reassembler;

  constructor({ window = new ReceiveWindow(), reassembler = new Reassembler() } = {}) {
    this.#window = window;
    this.#reassembler = reassembler;
  }

  /** Takes one Data frame; returns the messages (bytes) it completed, in order. */
  onData(data, now) {
    const messages = [];
    for (const released of this.#window.receive(data, now).released) {
      const result = this.#reassembler.accept({
        messageId: released.messageId, index: released.fragmentIndex, count: released.fragmentCount,
        payload: released.payload,
      });
      if (result.outcome === 'completed') {
        messages.push(result.message);
      }
    }
    return messages;
  }

  /** The Ack to send now if one is due, else null. */
  pollAck(now) {
    return this.#window.pollAck(now);
  }

  /** When an Ack falls due; Infinity when none is pending. */
  get nextWake() {
    return this.#window.ackDueAt;
  }

  get window() {
    return this.#window;
  }
}
