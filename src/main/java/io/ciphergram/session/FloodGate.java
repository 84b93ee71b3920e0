package io.ciphergram.session;

import java.util.concurrent.TimeUnit;

import io.ciphergram.protocol.TokenBucket;

/**
 * Flood control for one stream of datagrams or messages from one address, in two budgets, so that
 * nobody who merely knows an address can spend its owner's allowance:
 * <ul>
 *   <li>the <b>flood budget</b> is charged only for input that authenticated (a classic message that
 *       decrypted under the session's key, a v2 record that opened): over it, the input is dropped
 *       ({@code flooded}) and its sender is told {@code * slow down} at most once every
 *       {@link #NOTICE_INTERVAL_NANOS} (5 s);</li>
 *   <li>the <b>failure budget</b> pays for trying input that then did not authenticate (forged, or
 *       garbage): {@link #FAILURES_PER_SECOND} a second. While it is spent, input at the address is dropped
 *       before any crypto ({@code forged_flood}): a forger can cost the server that much work per address and
 *       no more. An off-path forger below that rate changes nothing for the address's owner.</li>
 * </ul>
 * Relay-thread state.
 */
public final class FloodGate {

    public enum Verdict { ADMITTED, DROPPED, DROPPED_NOTICE_DUE }

    /** Failed attempts paid for per second per address, and twice that at once. */
    public static final double FAILURES_PER_SECOND = 100;
    /** The least time between two "slow down" notices to one participant. */
    public static final long NOTICE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final TokenBucket bucket;
    private TokenBucket failures;
    private long lastNoticeNanos;
    private boolean noticed;

    public FloodGate(TokenBucket bucket) {
        this.bucket = bucket;
    }

    /** Input that authenticated: admitted, or dropped (with a notice due at most once every 5 s). */
    public Verdict admit(long nowNanos) {
        if (bucket.tryTake(nowNanos)) {
            return Verdict.ADMITTED;
        }
        if (noticed && nowNanos - lastNoticeNanos < NOTICE_INTERVAL_NANOS) {
            return Verdict.DROPPED;
        }
        noticed = true;
        lastNoticeNanos = nowNanos;
        return Verdict.DROPPED_NOTICE_DUE;
    }

    /** Whether {@link #admit} would admit now (nothing is taken). */
    public boolean hasRoom(long nowNanos) {
        return bucket.nanosUntilToken(nowNanos) == 0;
    }

    /** Whether input may still be tried (the failure budget is not spent). */
    public boolean mayTry(long nowNanos) {
        return failures == null || failures.nanosUntilToken(nowNanos) == 0;
    }

    /** Input was tried and did not authenticate: it is paid from the failure budget. */
    public void failed(long nowNanos) {
        if (failures == null) {
            failures = new TokenBucket(FAILURES_PER_SECOND, FAILURES_PER_SECOND * 2, nowNanos);
        }
        failures.tryTake(nowNanos);
    }
}
