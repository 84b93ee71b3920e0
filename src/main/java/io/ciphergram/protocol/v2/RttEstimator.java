package io.ciphergram.protocol.v2;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from round-trip samples, RTO = SRTT + max(G, 4·RTTVAR)
 * clamped to [min, max], and exponential backoff for a fragment sent again.
 *
 * <p>Karn's algorithm (RFC 6298 §3) is the caller's part: it must only {@link #sample} fragments that were
 * transmitted once, because the ack of a retransmitted fragment cannot say which transmission it answers.
 * Backoff is per fragment (the n-th retransmission waits {@code RTO·2^n}), which with per-fragment timers is
 * what §5.5's "double the timer" means; it ends for new fragments as soon as a valid sample arrives (§5.7).
 * Pure and not thread-safe.
 */
public final class RttEstimator {

    /** RFC 6298 §2: alpha = 1/8, beta = 1/4, K = 4. */
    private static final int ALPHA_SHIFT = 3;
    private static final int BETA_SHIFT = 2;
    private static final int K = 4;

    private final long minRtoNanos;
    private final long maxRtoNanos;
    private final long granularityNanos;
    private boolean sampled;
    private long srttNanos;
    private long rttvarNanos;
    private long rtoNanos;

    public RttEstimator() {
        this(V2Constants.INITIAL_RTO_NANOS, V2Constants.MIN_RTO_NANOS, V2Constants.MAX_RTO_NANOS,
                V2Constants.CLOCK_GRANULARITY_NANOS);
    }

    public RttEstimator(long initialRtoNanos, long minRtoNanos, long maxRtoNanos, long granularityNanos) {
        if (minRtoNanos <= 0 || maxRtoNanos < minRtoNanos || granularityNanos < 0) {
            throw new IllegalArgumentException("need 0 < min RTO <= max RTO");
        }
        this.minRtoNanos = minRtoNanos;
        this.maxRtoNanos = maxRtoNanos;
        this.granularityNanos = granularityNanos;
        this.rtoNanos = clamp(initialRtoNanos);
    }

    /** Takes one round-trip measurement of a fragment that was sent exactly once (Karn). */
    public void sample(long rttNanos) {
        long r = Math.max(0, rttNanos);
        if (!sampled) {
            // §2.2: first measurement R: SRTT = R, RTTVAR = R/2
            srttNanos = r;
            rttvarNanos = r / 2;
            sampled = true;
        } else {
            // §2.3: RTTVAR first, using the old SRTT
            rttvarNanos = rttvarNanos - (rttvarNanos >> BETA_SHIFT) + (Math.abs(srttNanos - r) >> BETA_SHIFT);
            srttNanos = srttNanos - (srttNanos >> ALPHA_SHIFT) + (r >> ALPHA_SHIFT);
        }
        rtoNanos = clamp(srttNanos + Math.max(granularityNanos, K * rttvarNanos));
    }

    /** The current RTO, for a fragment's first transmission. */
    public long rtoNanos() {
        return rtoNanos;
    }

    /** The timeout for a fragment already retransmitted {@code retransmissions} times: RTO·2^n, at most max RTO. */
    public long backedOffRtoNanos(int retransmissions) {
        if (retransmissions <= 0) {
            return rtoNanos;
        }
        int shift = Math.min(retransmissions, 62);
        long backedOff = rtoNanos << shift;
        return (backedOff >>> shift) != rtoNanos ? maxRtoNanos : clamp(backedOff);
    }

    public boolean hasSample() {
        return sampled;
    }

    /** Smoothed round-trip time; 0 before the first sample. */
    public long srttNanos() {
        return srttNanos;
    }

    public long rttvarNanos() {
        return rttvarNanos;
    }

    private long clamp(long rto) {
        return Math.max(minRtoNanos, Math.min(maxRtoNanos, rto));
    }
}
