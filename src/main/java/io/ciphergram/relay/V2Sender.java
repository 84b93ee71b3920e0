package io.ciphergram.relay;

import java.util.List;

import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.session.V2Session;

/**
 * The v2 send side, for every v2 session: what a channel has due goes to the transport, in this order:
 * <ol>
 *   <li>{@link #flush}: the channel's due datagrams (retransmissions, new fragments, an Ack, a Ping
 *       answer) are polled and handed to the session's transport;</li>
 *   <li>what the session holds is measured into the v2 memory budget;</li>
 *   <li>a session whose peer stopped acknowledging is given up: it leaves at the end of the turn
 *       ({@link Departures}), never from inside a fan-out;</li>
 *   <li>a timer is armed for the channel's next deadline (retransmission, delayed ack), so nothing scans
 *       the sessions.</li>
 * </ol>
 * Each recipient's {@link V2Outbox} holds its own send-side state (its timer, since when its queue has been
 * full) and calls here; the inbound side ({@link V2Ingress}) calls {@link #flush} after every record, so
 * that acks leave at once. Nothing here reads what peers send. Relay-thread state.
 */
final class V2Sender {

    private final SessionRegistry sessions;
    private final Transports transports;
    private final Counters counters;
    private final Scheduler scheduler;
    private final Departures departures;
    private final long queueFullTimeoutNanos;

    V2Sender(SessionRegistry sessions, Transports transports, Counters counters, Scheduler scheduler,
            Departures departures, long queueFullTimeoutNanos) {
        this.sessions = sessions;
        this.transports = transports;
        this.counters = counters;
        this.scheduler = scheduler;
        this.departures = departures;
        this.queueFullTimeoutNanos = queueFullTimeoutNanos;
    }

    long now() {
        return sessions.now();
    }

    long queueFullTimeoutNanos() {
        return queueFullTimeoutNanos;
    }

    /** Sends what the channel has due, gives the session up if its peer stopped acknowledging, re-arms the timer. */
    void flush(V2Session session) {
        SecureChannel channel = session.channel();
        if (!session.open() || channel.closed()) {
            return;
        }
        long now = sessions.now();
        send(session, channel.poll(now));
        session.measure();
        if (channel.failure().isPresent()) {
            giveUp(session);
            return;
        }
        V2Outbox outbox = (V2Outbox) session.outbox();
        long due = channel.nextWakeNanos(now);
        if (outbox.armFor(due)) {
            scheduler.at(due, () -> {
                if (outbox.fire(due)) {
                    flush(session);
                }
            });
        }
    }

    /** Hands datagrams to the session's transport, in order. */
    void send(V2Session session, List<byte[]> datagrams) {
        for (byte[] datagram : datagrams) {
            transports.send(session.peer(), datagram);
        }
    }

    /** A line for {@code session} was refused (its queue or the memory budget is full): counted. */
    void refused(V2Session session) {
        counters.queueRefused();
    }

    /** {@code session} stopped acknowledging or stayed behind too long: it leaves at the end of the turn. */
    void giveUp(V2Session session) {
        if (session.open()) {
            departures.later(session);
        }
    }
}
