package io.ciphergram.relay;

import java.util.List;

import io.ciphergram.protocol.v2.ReliableConstants;
import io.ciphergram.session.MemoryBudget;
import io.ciphergram.session.Outbox;
import io.ciphergram.session.V2Session;

/**
 * How a v2 participant is reached: each line queued on its reliable channel, then sent as it allows. A
 * line that its queue (or the v2 memory budget) cannot take is refused and counted; a recipient whose
 * queue stays full longer than {@code ciphergram.v2.queue-full-timeout}, because it stopped acknowledging
 * or acknowledges too slowly, is given up, so that nobody can make the server hold messages for it.
 */
final class V2Outbox implements Outbox {

    private final V2Session session;
    private final V2Ingress driver;
    private final MemoryBudget memory;
    private final long queueFullTimeoutNanos;

    V2Outbox(V2Session session, V2Ingress driver, MemoryBudget memory, long queueFullTimeoutNanos) {
        this.session = session;
        this.driver = driver;
        this.memory = memory;
        this.queueFullTimeoutNanos = queueFullTimeoutNanos;
    }

    @Override
    public boolean send(byte[] utf8) {
        boolean taken = utf8.length <= ReliableConstants.MAX_MESSAGE && memory.mayHold(utf8.length)
                && session.channel().offer(utf8);
        long now = driver.now();
        long refusedSince = session.offered(taken, now);
        if (!taken) {
            driver.refused(session, refusedSince >= 0 && now - refusedSince >= queueFullTimeoutNanos);
            return false;
        }
        driver.flush(session);
        return true;
    }

    /** Whatever is due, then an Ack of everything (so the client knows its last message arrived), then Close. */
    @Override
    public void close() {
        driver.flush(session);
        long now = driver.now();
        driver.sendAll(session, List.of(session.channel().ackNow(now), session.channel().close(now)));
    }
}
