package io.ciphergram.session;

import io.ciphergram.protocol.TokenBucket;

/**
 * Flood control for one stream of datagrams or messages: a token bucket, and the rule that its sender gets
 * one error notice per burst of drops, not one per dropped message. Relay-thread state.
 */
public final class FloodGate {

    public enum Verdict { ADMITTED, DROPPED, DROPPED_NOTICE_DUE }

    private final TokenBucket bucket;
    private boolean noticeSent;

    public FloodGate(TokenBucket bucket) {
        this.bucket = bucket;
    }

    public Verdict admit(long nowNanos) {
        if (bucket.tryTake(nowNanos)) {
            noticeSent = false;
            return Verdict.ADMITTED;
        }
        if (noticeSent) {
            return Verdict.DROPPED;
        }
        noticeSent = true;
        return Verdict.DROPPED_NOTICE_DUE;
    }
}
