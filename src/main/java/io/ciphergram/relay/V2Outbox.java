package io.ciphergram.relay;

import java.util.List;

import io.ciphergram.protocol.v2.AppCodec;
import io.ciphergram.protocol.v2.AppFrame;
import io.ciphergram.session.Delivery;

import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.session.Outbox;
import io.ciphergram.session.V2Session;

/**
 * How a v2 participant is reached, and its send-side state: each line queued on its reliable channel, then
 * sent as it allows ({@link V2Sender}). A line that its queue (or the v2 memory budget) cannot take is
 * refused and counted; a recipient whose queue stays full longer than {@code ciphergram.v2.queue-full-timeout},
 * because it stopped acknowledging or acknowledges too slowly, is given up, so that nobody can make the
 * server hold messages for it.
 */
final class V2Outbox implements Outbox {

    private final V2Session session;
    private final V2Sender sender;
    /** The deadline a timer is armed for, Long.MAX_VALUE when none is. */
    private long timerNanos = Long.MAX_VALUE;
    /** Since when lines for it have been refused without a break; -1 while they are taken. */
    private long refusedSinceNanos = -1;

    private final TextLines lines;

    V2Outbox(V2Session session, V2Sender sender, TextLines lines) {
        this.session = session;
        this.sender = sender;
        this.lines = lines;
    }

    /**
     * A framed session gets each delivery as its app frame; any other gets its text line (an envelope or a
     * bundle, which have none, is not sent to it: counted).
     */
    @Override
    public boolean deliver(Delivery delivery) {
        if (session.framed()) {
            return send(AppCodec.encode(frame(delivery)));
        }
        byte[] line = lines.utf8(delivery);
        if (line == null) {
            sender.refused(session);
            return false;
        }
        return send(line);
    }

    private static AppFrame frame(Delivery delivery) {
        if (delivery instanceof Delivery.Line l) {
            return new AppFrame.Line(l.id(), l.timeMillis(), l.history(), l.privately(), l.room(), l.from(), l.text());
        }
        if (delivery instanceof Delivery.Notice n) {
            return new AppFrame.Notice(n.timeMillis(), n.text());
        }
        if (delivery instanceof Delivery.Sealed s) {
            return new AppFrame.Sealed(s.timeMillis(), s.stored(), s.envelope());
        }
        Delivery.Bundle b = (Delivery.Bundle) delivery;
        return new AppFrame.Bundle(b.name(), b.bundle());
    }

    private boolean send(byte[] utf8) {
        boolean taken = utf8.length <= V2Constants.MAX_MESSAGE && session.memory().mayQueue(utf8.length)
                && session.channel().offer(utf8);
        long now = sender.now();
        if (!taken) {
            sender.refused(session);
            if (refusedSinceNanos < 0) {
                refusedSinceNanos = now;
            } else if (now - refusedSinceNanos >= sender.queueFullTimeoutNanos()) {
                sender.giveUp(session);
            }
            return false;
        }
        refusedSinceNanos = -1;
        sender.flush(session);
        return true;
    }

    /** Whatever is due, then an Ack of everything (so the client knows its last message arrived), then Close. */
    @Override
    public void close() {
        sender.flush(session);
        long now = sender.now();
        sender.send(session, List.of(session.channel().ackNow(now), session.channel().close(now)));
    }

    /** Whether a timer must be armed for {@code due}: none is armed for that deadline or an earlier one. */
    boolean armFor(long due) {
        if (due < timerNanos) {
            timerNanos = due;
            return true;
        }
        return false;
    }

    /** A timer armed for {@code due} fired: true if it is still the one that counts (not re-armed meanwhile). */
    boolean fire(long due) {
        if (timerNanos != due) {
            return false;
        }
        timerNanos = Long.MAX_VALUE;
        return true;
    }
}
