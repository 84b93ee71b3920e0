package io.ciphergram.session;

import io.ciphergram.protocol.TokenBucket;

/**
 * Flood control for one stream of a session: a token bucket, and the rule that its sender gets one error
 * notice per burst of drops, not one per dropped message. Guarded by the owning session's lock.
 */
final class FloodGate {

    private final TokenBucket bucket;
    private boolean noticeSent;

    FloodGate(TokenBucket bucket) {
        this.bucket = bucket;
    }

    Session.FloodVerdict admit(long nowNanos) {
        if (bucket.tryTake(nowNanos)) {
            noticeSent = false;
            return Session.FloodVerdict.ADMITTED;
        }
        if (noticeSent) {
            return Session.FloodVerdict.DROPPED;
        }
        noticeSent = true;
        return Session.FloodVerdict.DROPPED_NOTICE_DUE;
    }
}
