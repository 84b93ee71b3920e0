package io.ciphergram.relay;

import java.util.List;

import io.ciphergram.session.Counters;
import io.ciphergram.session.Outbox;
import io.ciphergram.session.V2Session;

/** How a v2 participant is reached: each line queued on its reliable channel, then sent as it allows. */
final class V2Outbox implements Outbox {

    private final V2Session session;
    private final V2Ingress driver;
    private final Transports transports;
    private final Counters counters;

    V2Outbox(V2Session session, V2Ingress driver, Transports transports, Counters counters) {
        this.session = session;
        this.driver = driver;
        this.transports = transports;
        this.counters = counters;
    }

    @Override
    public boolean send(byte[] utf8) {
        if (!session.channel().offer(utf8)) {
            counters.sendFailed(); // the recipient stopped acknowledging long enough to fill its queue
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
        for (byte[] datagram : List.of(session.channel().ackNow(now), session.channel().close(now))) {
            transports.send(session.peer(), datagram);
        }
    }
}
