// A clock the tests move by hand: `advance(ms)` fires the timers that fall due, in time order, and
// lets the asynchronous work they start finish before going on, so no test sleeps.

export class FakeClock {
  #now = 1_000;
  #timers = new Map();
  #nextId = 1;
  #settlers = [];

  now() {
    return this.#now;
  }

  setTimeout(fn, ms) {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id) {
    this.#timers.delete(id);
  }

  /** Each `settler()` returns a promise for the work queued so far (e.g. a ChatClient's settled()). */
  settleWith(...settlers) {
    this.#settlers.push(...settlers);
  }

  /** Waits until no settler has anything left to do. */
  async settle() {
    for (let round = 0; round < 1000; round++) {
      const before = this.#settlers.map((s) => s());
      await Promise.all(before);
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#settlers.every((s, i) => s() === before[i])) {
        return;
      }
    }
    throw new Error('the work never settled');
  }

  /** Moves time forward by `ms`, firing due timers one at a time in order. */
  async advance(ms) {
    const end = this.#now + ms;
    await this.settle();
    for (;;) {
      let next = null;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= end && (next === null || timer.at < next.timer.at)) {
          next = { id, timer };
        }
      }
      if (next === null) {
        break;
      }
      this.#timers.delete(next.id);
      this.#now = Math.max(this.#now, next.timer.at);
      next.timer.fn();
      await this.settle();
    }
    this.#now = end;
  }
}
