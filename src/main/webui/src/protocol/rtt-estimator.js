// The retransmission timeout of RFC 6298 (docs/PROTOCOL.md, "Reliable delivery", retransmission timer;
// Java: RttEstimator): SRTT and RTTVAR from samples (alpha 1/8, beta 1/4), RTO = SRTT + max(G, 4·RTTVAR)
// clamped to [200 ms, 60 s], 1 s before the first sample, and RTO·2^n for a fragment's n-th
// retransmission. Karn's rule (sample only fragments sent once) is the SendWindow's part.

import { CLOCK_GRANULARITY_MS, INITIAL_RTO_MS, MAX_RTO_MS, MIN_RTO_MS } from './constants.js';

export class RttEstimator {
  #minRto;
  #maxRto;
  #granularity;
  #sampled = false;
  #srtt = 0;
  #rttvar = 0;
  #rto;

  constructor({ initialRto = INITIAL_RTO_MS, minRto = MIN_RTO_MS, maxRto = MAX_RTO_MS,
    granularity = CLOCK_GRANULARITY_MS } = {}) {
    this.#minRto = minRto;
    this.#maxRto = maxRto;
    this.#granularity = granularity;
    this.#rto = this.#clamp(initialRto);
  }

  /** One round-trip measurement of a fragment that was sent exactly once. */
  sample(rtt) {
    const r = Math.max(0, rtt);
    if (!this.#sampled) {
      // RFC 6298 section 2.2: the first measurement R gives SRTT = R, RTTVAR = R/2
      this.#srtt = r;
      this.#rttvar = r / 2;
      this.#sampled = true;
    } else {
      // section 2.3: RTTVAR first, from the old SRTT
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - r);
      this.#srtt = 0.875 * this.#srtt + 0.125 * r;
    }
    this.#rto = this.#clamp(this.#srtt + Math.max(this.#granularity, 4 * this.#rttvar));
  }

  /** The timeout of a fragment's first transmission. */
  get rto() {
    return this.#rto;
  }

  /** Smoothed round-trip time; 0 before the first sample. */
  get srtt() {
    return this.#srtt;
  }

  /** The timeout after `retransmissions` retransmissions: RTO·2^n, at most the maximum. */
  backedOffRto(retransmissions) {
    return this.#clamp(this.#rto * 2 ** Math.max(0, retransmissions));
  }

  #clamp(rto) {
    return Math.max(this.#minRto, Math.min(this.#maxRto, rto));
  }
}
