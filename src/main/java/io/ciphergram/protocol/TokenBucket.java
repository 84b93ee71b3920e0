package io.ciphergram.protocol;

/**
 * A token bucket: {@code perSecond} tokens a second up to {@code burst}. The server uses one per session
 * for flood control (before any crypto work); the console client uses the same to pace itself. A rate of
 * 0 disables the limit. Not thread-safe: each session's bucket is touched under that session's lock.
 */
public final class TokenBucket {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double perSecond;
    private final double burst;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double perSecond, double burst, long nowNanos) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.lastNanos = nowNanos;
    }

    public boolean unlimited() {
        return perSecond <= 0;
    }

    /** Takes a token if one is there. */
    public boolean tryTake(long nowNanos) {
        if (unlimited()) {
            return true;
        }
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Nanoseconds until a token will be there (0 if one is there now). */
    public long nanosUntilToken(long nowNanos) {
        if (unlimited()) {
            return 0;
        }
        refill(nowNanos);
        if (tokens >= 1) {
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perSecond * NANOS_PER_SECOND);
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perSecond / NANOS_PER_SECOND);
            lastNanos = nowNanos;
        }
    }
}
