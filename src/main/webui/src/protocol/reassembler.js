// Puts fragments back into messages within a per-session memory bound (docs/PROTOCOL.md, "Reliable
// delivery", reassembly bound; Java: Reassembler). Every fragment but a message's last carries exactly
// 1136 bytes, so no message can claim more than 64 KiB; incomplete messages may hold at most 128 KiB and
// number at most 8, beyond which the oldest other one is evicted (an honest sender has one at a time).
// Exactly-once delivery across messages is the ReceiveWindow's job; this forgets a message once whole.

import {
  MAX_FRAGMENT_PAYLOAD, MAX_INCOMPLETE_MESSAGES, MAX_MESSAGE, MAX_REASSEMBLY_BYTES,
} from './constants.js';
import { concat } from './bytes.js';

export class Reassembler {
  #fragmentPayload;
  #maxMessage;
  #maxBytes;
  #maxIncomplete;
  /** Message id → { fragments, received, bytes }, oldest first (a Map keeps insertion order). */
  #incomplete = new Map();
  #heldBytes = 0;

  constructor({ fragmentPayload = MAX_FRAGMENT_PAYLOAD, maxMessage = MAX_MESSAGE, maxBytes = MAX_REASSEMBLY_BYTES,
    maxIncomplete = MAX_INCOMPLETE_MESSAGES } = {}) {
    this.#fragmentPayload = fragmentPayload;
    this.#maxMessage = maxMessage;
    this.#maxBytes = maxBytes;
    this.#maxIncomplete = maxIncomplete;
  }

  /**
   * Takes `{ messageId, index, count, payload }`: `{ outcome, message }`, outcome 'completed' (message is
   * the whole message), 'stored', 'duplicate', 'rejected_inconsistent_count' or 'rejected_bad_size'.
   */
  accept({ messageId, index, count, payload }) {
    if (count < 1 || index < 0 || index >= count || !this.#sizeFits(index, count, payload.length)) {
      return { outcome: 'rejected_bad_size' };
    }
    if (count === 1) {
      // whole on its own: never held, so no bound applies
      if (this.#incomplete.has(messageId)) {
        return { outcome: 'rejected_inconsistent_count' };
      }
      return { outcome: 'completed', message: payload };
    }
    let partial = this.#incomplete.get(messageId);
    if (partial === undefined) {
      this.#makeRoom(messageId, payload.length, true);
      partial = { fragments: new Array(count).fill(null), received: 0, bytes: 0 };
      this.#incomplete.set(messageId, partial);
    } else if (partial.fragments.length !== count) {
      return { outcome: 'rejected_inconsistent_count' };
    } else if (partial.fragments[index] !== null) {
      return { outcome: 'duplicate' };
    } else {
      this.#makeRoom(messageId, payload.length, false);
    }
    partial.fragments[index] = payload;
    partial.received++;
    partial.bytes += payload.length;
    this.#heldBytes += payload.length;
    if (partial.received < count) {
      return { outcome: 'stored' };
    }
    this.#incomplete.delete(messageId);
    this.#heldBytes -= partial.bytes;
    return { outcome: 'completed', message: concat(...partial.fragments) };
  }

  /** Payload bytes held in incomplete messages. */
  get heldBytes() {
    return this.#heldBytes;
  }

  get incompleteMessages() {
    return this.#incomplete.size;
  }

  #sizeFits(index, count, length) {
    const before = (count - 1) * this.#fragmentPayload;
    if (before + (count > 1 ? 1 : 0) > this.#maxMessage) {
      return false; // even the smallest last fragment would make the message too long
    }
    if (index < count - 1) {
      return length === this.#fragmentPayload;
    }
    return length <= this.#fragmentPayload && before + length <= this.#maxMessage && (count === 1 || length > 0);
  }

  /** Evicts the oldest incomplete messages other than `messageId` until the fragment fits. */
  #makeRoom(messageId, length, startsMessage) {
    for (const [id, partial] of this.#incomplete) {
      if (!(this.#heldBytes + length > this.#maxBytes
          || (startsMessage && this.#incomplete.size >= this.#maxIncomplete))) {
        return;
      }
      if (id !== messageId) {
        this.#incomplete.delete(id);
        this.#heldBytes -= partial.bytes;
      }
    }
  }
}
