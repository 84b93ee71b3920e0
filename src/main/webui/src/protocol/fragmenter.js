// Splits a message into fragments (docs/PROTOCOL.md, "Reliable delivery", fragmentation; Java:
// Fragmenter): 1136 payload bytes each, the last one shorter, an empty message one empty fragment.
// Message ids count from 0 and are never reused.

import { MAX_FRAGMENT_PAYLOAD, MAX_MESSAGE, MAX_MESSAGE_ID } from './constants.js';

export class Fragmenter {
  #fragmentPayload;
  #maxMessage;
  #nextMessageId = 0;

  constructor(fragmentPayload = MAX_FRAGMENT_PAYLOAD, maxMessage = MAX_MESSAGE) {
    this.#fragmentPayload = fragmentPayload;
    this.#maxMessage = maxMessage;
  }

  /** How many fragments a message of `length` bytes becomes. */
  fragmentCount(length) {
    return Math.max(1, Math.ceil(length / this.#fragmentPayload));
  }

  /** `[{ messageId, index, count, payload }]` of `message`, in order, under the next message id. */
  split(message) {
    if (message.length > this.#maxMessage) {
      throw new RangeError(`a message is at most ${this.#maxMessage} bytes`);
    }
    if (this.#nextMessageId > MAX_MESSAGE_ID) {
      throw new RangeError('message ids exhausted: start a new session');
    }
    const messageId = this.#nextMessageId++;
    const count = this.fragmentCount(message.length);
    const fragments = [];
    for (let index = 0; index < count; index++) {
      const from = index * this.#fragmentPayload;
      fragments.push({ messageId, index, count, payload: message.slice(from, from + this.#fragmentPayload) });
    }
    return fragments;
  }
}
