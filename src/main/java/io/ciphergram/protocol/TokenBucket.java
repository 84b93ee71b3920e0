package io.ciphergram.protocol;

/**
 * A token bucket: {@code perSecond} tokens a second up to {@code burst}. The server uses one per session
 * for flood control (before any crypto work); the console client uses the same to pace itself. A rate of
 * 0 disables the limit. Credit is kept in integer nano-tokens so that refills do not drift. Not
 * thread-safe: each bucket has one owner (the server's, the relay thread).
 */
public final class TokenBucket {

    private static final long ONE = 1_000_000_000L;

    /** No limit: it never changes, so one serves every owner that does not pace (the server's channels, the bench's). */
    public static final TokenBucket NO_LIMIT = new TokenBucket(0, 1, 0);

    private final double perSecond;
    private final long capacity;
    private long credit;
    private long lastNanos;

    public TokenBucket(double perSecond, double burst, long nowNanos) {
        this.perSecond = perSecond;
        this.capacity = (long) (Math.max(1, burst) * ONE);
        this.credit = capacity;
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
        if (credit >= ONE) {
            credit -= ONE;
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
        return credit >= ONE ? 0 : (long) Math.ceil((ONE - credit) / perSecond);
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            double added = elapsed * perSecond;
            credit = added >= capacity - credit ? capacity : credit + (long) added;
            lastNanos = nowNanos;
        }
    }
}
