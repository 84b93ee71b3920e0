// A token bucket of `perSecond` tokens a second up to `burst` (Java: TokenBucket). The client paces new
// messages with one, at the rate and burst the server states in its KeyReply (docs/PROTOCOL.md,
// "Limits and pacing"), so it never meets the server's flood control. A rate of 0 means no limit.

export class TokenBucket {
  #perMs;
  #capacity;
  #credit;
  #last;

  constructor(perSecond, burst, now) {
    this.#perMs = perSecond / 1000;
    this.#capacity = Math.max(1, burst);
    this.#credit = this.#capacity;
    this.#last = now;
  }

  get unlimited() {
    return this.#perMs <= 0;
  }

  /** Takes a token if one is there. */
  tryTake(now) {
    if (this.unlimited) {
      return true;
    }
    this.#refill(now);
    if (this.#credit >= 1) {
      this.#credit -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token is there (0 if one is there now). */
  msUntilToken(now) {
    if (this.unlimited) {
      return 0;
    }
    this.#refill(now);
    return this.#credit >= 1 ? 0 : (1 - this.#credit) / this.#perMs;
  }

  #refill(now) {
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#credit = Math.min(this.#capacity, this.#credit + elapsed * this.#perMs);
      this.#last = now;
    }
  }
}
