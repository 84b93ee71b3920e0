package io.ciphergram.cli;

import java.util.concurrent.TimeUnit;

/**
 * Whether the server of an established v2 session is still there, judged from the client's side
 * (docs/PROTOCOL.md, "Liveness"): the server answers every Ping and acknowledges data within its delayed-ack
 * time, so an answer that is owed and does not come for {@link #GONE_AFTER_NANOS} means it is gone. An
 * answer is owed once the client has data unacknowledged, or has pinged because it heard nothing for
 * {@link #IDLE_PROBE_NANOS}; while it is owed, a Ping goes every {@link #PING_EVERY_NANOS}, so that losing
 * a few datagrams on a bad path is not taken for the server's death. Any authenticated record heard pays
 * what is owed. Pure; the session's I/O thread owns it.
 */
final class Liveness {

    /** Quiet this long, the client asks. Shorter than the 10 s keepalive, so that a gone server is noticed within seconds. */
    static final long IDLE_PROBE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Owed and unanswered this long, the server is gone: ten Pings on the way, of which none came back. */
    static final long GONE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long PING_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private static final long NONE = Long.MIN_VALUE;

    enum Action { NOTHING, PING, GONE }

    private long lastHeard;
    private long owedSince = NONE;
    private long nextPing;

    Liveness(long nowNanos) {
        this.lastHeard = nowNanos;
    }

    /** An authenticated record arrived: the server is there, and nothing is owed any more. */
    void heard(long nowNanos) {
        lastHeard = nowNanos;
        owedSince = NONE;
    }

    /** What to do now, given whether data the client sent awaits its acknowledgement. */
    Action poll(long nowNanos, boolean dataUnacknowledged) {
        if (owedSince == NONE) {
            if (dataUnacknowledged) {
                owe(nowNanos); // the data asks for its Ack itself
                return Action.NOTHING;
            }
            if (nowNanos - lastHeard >= IDLE_PROBE_NANOS) {
                owe(nowNanos);
                return Action.PING;
            }
            return Action.NOTHING;
        }
        if (nowNanos - owedSince >= GONE_AFTER_NANOS) {
            return Action.GONE;
        }
        if (nowNanos - nextPing >= 0) {
            nextPing = nowNanos + PING_EVERY_NANOS;
            return Action.PING;
        }
        return Action.NOTHING;
    }

    /** When {@link #poll} must next be called. */
    long nextWakeNanos() {
        return owedSince == NONE ? lastHeard + IDLE_PROBE_NANOS : Math.min(nextPing, owedSince + GONE_AFTER_NANOS);
    }

    private void owe(long nowNanos) {
        owedSince = nowNanos;
        nextPing = nowNanos + PING_EVERY_NANOS;
    }
}
