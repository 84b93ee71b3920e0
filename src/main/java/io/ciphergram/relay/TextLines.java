package io.ciphergram.relay;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import io.ciphergram.session.Delivery;

/**
 * How a delivery reads as one text line, for the clients that take text (classic, and v2 without frames):
 * {@code alice: hi}, {@code alice (private): psst}, a history line with its time {@code [14:03] alice: hi},
 * a notice as it is. Envelopes and key bundles have no text form: such a client is never sent one.
 */
final class TextLines {

    private static final DateTimeFormatter HOURS_MINUTES = DateTimeFormatter.ofPattern("HH:mm");

    private final ZoneId zone;
    /** The last delivery rendered, and its UTF-8 line: a room's line is rendered once, not once per member. */
    private Delivery lastDelivery;
    private byte[] lastUtf8;

    TextLines(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * The line as UTF-8, or null if the delivery has no text form. Every text recipient of one delivery gets
     * the same array (relay thread only; the outboxes do not change it).
     */
    byte[] utf8(Delivery delivery) {
        if (delivery != lastDelivery) {
            String line = text(delivery);
            lastUtf8 = line == null ? null : line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            lastDelivery = delivery;
        }
        return lastUtf8;
    }

    /** The line, or null if the delivery has no text form. */
    String text(Delivery delivery) {
        if (delivery instanceof Delivery.Line l) {
            String line = l.privately() ? Notices.privateLine(l.from(), l.text()) : Notices.line(l.from(), l.text());
            return l.history() ? "[" + HOURS_MINUTES.format(Instant.ofEpochMilli(l.timeMillis()).atZone(zone)) + "] " + line
                    : line;
        }
        if (delivery instanceof Delivery.Notice n) {
            return n.text();
        }
        return null;
    }
}
