package io.ciphergram.session;

import java.util.Arrays;

/**
 * What the relay hands one participant, before any profile's encoding: each recipient's {@link Outbox}
 * renders it in its own form (a text line for classic and text v2 clients, an app frame for framed ones).
 * Texts are already cleaned of control characters.
 */
public sealed interface Delivery {

    /**
     * A line said in a room, or a private message the relay could read.
     *
     * @param id its id in its room (0 for a private message)
     * @param room its room ("" for a private message)
     * @param history whether it comes from the room's history
     * @param privately whether it is a private message
     */
    record Line(long id, long timeMillis, String room, String from, String text, boolean history, boolean privately)
            implements Delivery {
    }

    /** A notice from the relay ({@code * ...}). */
    record Notice(long timeMillis, String text) implements Delivery {
    }

    /** An end-to-end envelope for this participant, unread by the relay. */
    record Sealed(long timeMillis, String from, byte[] envelope, boolean stored) implements Delivery {
        public Sealed {
            envelope = envelope.clone();
        }

        @Override
        public byte[] envelope() {
            return envelope.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sealed s && s.timeMillis == timeMillis && s.from.equals(from) && s.stored == stored
                    && Arrays.equals(s.envelope, envelope);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(envelope);
        }

        @Override
        public String toString() {
            return "Sealed[from " + from + ", " + envelope.length + " bytes" + (stored ? ", stored" : "") + "]";
        }
    }

    /** The key bundle of {@code name} (empty: none). */
    record Bundle(String name, byte[] bundle) implements Delivery {
        public Bundle {
            bundle = bundle.clone();
        }

        @Override
        public byte[] bundle() {
            return bundle.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bundle b && b.name.equals(name) && Arrays.equals(b.bundle, bundle);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }

    /** Whose words it carries, for a profile that gives each sender a share (null: the relay's own). */
    default String sender() {
        if (this instanceof Line l) {
            return l.from();
        }
        return this instanceof Sealed s ? s.from() : null;
    }
}
