// The receiver's anti-replay filter for one direction and generation (docs/PROTOCOL.md, "Replay
// window"; Java: ReplayWindow): RFC 6479's ring of 32 words of 64 bits, a window of 1984 sequence
// numbers behind the highest accepted one. JavaScript has no 64-bit integers, so each 64-bit word is
// two 32-bit halves; blocks are still 64 bits wide, so the window is exactly the Java one.
//
// Use it in this order, so that a forged record never moves it: wouldAccept() before decrypting,
// then markSeen() once the record authenticated, delivering only if it returns true.

import { REJECT_AFTER_MESSAGES, REPLAY_RING_BITS, REPLAY_WINDOW_SIZE } from './constants.js';

const BLOCK_BITS = 64;
const RING_BLOCKS = REPLAY_RING_BITS / BLOCK_BITS;

export class ReplayWindow {
  #ring = new Uint32Array(RING_BLOCKS * 2);
  /** The highest sequence marked; 0 at the start with its bit clear, so 0 is accepted once. */
  #last = 0;

  /** Whether `seq` is new and recent enough. Changes nothing. */
  wouldAccept(seq) {
    if (outOfRange(seq)) {
      return false;
    }
    if (seq > this.#last) {
      return true;
    }
    if (this.#last - seq > REPLAY_WINDOW_SIZE) {
      return false;
    }
    return (this.#ring[word(seq)] & bit(seq)) === 0;
  }

  /** Records `seq` as received (only after it authenticated); true if it was new. */
  markSeen(seq) {
    if (outOfRange(seq)) {
      return false;
    }
    if (seq > this.#last) {
      const currentBlock = Math.floor(this.#last / BLOCK_BITS);
      const newBlock = Math.floor(seq / BLOCK_BITS);
      const advance = Math.min(newBlock - currentBlock, RING_BLOCKS);
      for (let block = currentBlock + 1; block <= currentBlock + advance; block++) {
        const index = (block % RING_BLOCKS) * 2;
        this.#ring[index] = 0;
        this.#ring[index + 1] = 0;
      }
      this.#last = seq;
    } else if (this.#last - seq > REPLAY_WINDOW_SIZE) {
      return false;
    }
    const index = word(seq);
    const before = this.#ring[index];
    this.#ring[index] = before | bit(seq);
    return this.#ring[index] !== before;
  }

  /** The highest sequence number marked so far. */
  get highestSeen() {
    return this.#last;
  }
}

function outOfRange(seq) {
  return !Number.isInteger(seq) || seq < 0 || seq >= REJECT_AFTER_MESSAGES;
}

/** The 32-bit half-word holding `seq`'s bit: its 64-bit block in the ring, low or high half. */
function word(seq) {
  return (Math.floor(seq / BLOCK_BITS) % RING_BLOCKS) * 2 + ((seq % BLOCK_BITS) >= 32 ? 1 : 0);
}

function bit(seq) {
  return (1 << (seq % 32)) >>> 0;
}
