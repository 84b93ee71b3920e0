// The message ids a recipient has opened (docs/PROTOCOL.md, "Replay cache"; Java: protocol.e2e.ReplayCache):
// an envelope is accepted once; older than maxAge is refused outright; past maxEntries the oldest id is
// forgotten and nothing as old is accepted again (the floor); more than maxClockSkew ahead is refused.
// Entries are recorded only after an envelope opened, so a forger cannot fill it.

import { toHex } from '../bytes.js';

const DAY = 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_AGE = 8 * DAY;
export const DEFAULT_MAX_ENTRIES = 10_000;
export const DEFAULT_MAX_CLOCK_SKEW = 60 * 60 * 1000;

export const Verdict = Object.freeze({
  FRESH: 'FRESH', REPLAYED: 'REPLAYED', TOO_OLD: 'TOO_OLD', FROM_THE_FUTURE: 'FROM_THE_FUTURE',
});

export class ReplayCache {
  #maxEntries;
  #maxAge;
  #maxSkew;
  /** id (hex) → time; a Map keeps insertion order, not time order, so eviction looks for the oldest. */
  #seen = new Map();
  #floor = -Infinity;

  constructor({ maxEntries = DEFAULT_MAX_ENTRIES, maxAge = DEFAULT_MAX_AGE, maxClockSkew = DEFAULT_MAX_CLOCK_SKEW } = {}) {
    this.#maxEntries = maxEntries;
    this.#maxAge = maxAge;
    this.#maxSkew = maxClockSkew;
  }

  get size() {
    return this.#seen.size;
  }

  get floorMillis() {
    return this.#floor;
  }

  /** Whether an envelope with this id and time would be fresh now; remembers nothing. */
  check(messageId, timeMillis, now) {
    if (timeMillis > now + this.#maxSkew) {
      return Verdict.FROM_THE_FUTURE;
    }
    if (timeMillis < now - this.#maxAge || timeMillis <= this.#floor) {
      return Verdict.TOO_OLD;
    }
    return this.#seen.has(toHex(messageId)) ? Verdict.REPLAYED : Verdict.FRESH;
  }

  /** check(), and if fresh, remember the id from now on. */
  record(messageId, timeMillis, now) {
    const verdict = this.check(messageId, timeMillis, now);
    if (verdict === Verdict.FRESH) {
      this.#seen.set(toHex(messageId), timeMillis);
      this.#bound(now);
    }
    return verdict;
  }

  #bound(now) {
    for (const [id, time] of this.#seen) {
      if (time < now - this.#maxAge) {
        this.#seen.delete(id);
      }
    }
    while (this.#seen.size > this.#maxEntries) {
      let oldest = null;
      for (const [id, time] of this.#seen) {
        if (oldest === null || time < oldest[1]) {
          oldest = [id, time];
        }
      }
      this.#seen.delete(oldest[0]);
      this.#floor = Math.max(this.#floor, oldest[1]);
    }
  }

  /** What to save (IndexedDB): `{ floor, entries: [[idHex, time], …] }`. */
  snapshot() {
    return { floor: this.#floor, entries: [...this.#seen] };
  }

  restore({ floor, entries }, now) {
    this.#floor = Math.max(this.#floor, floor);
    for (const [id, time] of entries) {
      if (!this.#seen.has(id)) {
        this.#seen.set(id, time);
      }
    }
    this.#bound(now);
  }
}
