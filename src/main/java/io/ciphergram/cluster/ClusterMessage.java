package io.ciphergram.cluster;

/**
 * What one instance tells the others through the shared bus ({@link ClusterCodec} turns it into bytes and
 * back). Every message names its {@code origin}, the instance that sent it. Changes to an instance's
 * names carry that instance's revision, a number it raises with every change, so that a receiver can tell
 * an event from a snapshot that is older or newer than it.
 */
public sealed interface ClusterMessage {

    /** The instance that sent it. */
    String origin();

    /**
     * A line a member of {@code origin} said in {@code room}, for the room's members on every other instance.
     * {@code seq} is {@code origin}'s number for it, rising by one with every line and above every number an
     * earlier run of {@code origin} gave: a receiver that has seen it drops a copy ({@link ClusterNode}).
     */
    record Line(String origin, long seq, String room, String from, long timeMillis, String text) implements ClusterMessage {
    }

    /** An end-to-end envelope for {@code to}: sent to the one instance that has a member named {@code to}. */
    record Sealed(String origin, String from, String to, long timeMillis, byte[] envelope) implements ClusterMessage {
        public Sealed {
            envelope = envelope.clone();
        }

        @Override
        public byte[] envelope() {
            return envelope.clone();
        }
    }

    /**
     * A member of {@code origin} is now in {@code room} (it moved there, or a newcomer arrived straight there,
     * or {@code origin} says again where its members are after another instance's hello). Presence (who is
     * a member at all) is the {@link NameChange}s'; this says only in which room.
     */
    record Moved(String origin, String name, String room) implements ClusterMessage {
    }

    /** {@code /msg}: sent to the one instance that has a member named {@code to}. */
    record Direct(String origin, String from, String to, String text) implements ClusterMessage {
    }

    /** What changed about one name of {@code origin}. */
    enum Change {
        /** a session there holds the name (registered, proven or not) */
        CLAIMED,
        /** no session there holds it any longer */
        RELEASED,
        /** the session holding it joined the room (it is listed and announced) */
        JOINED,
        /** it left the room */
        LEFT
    }

    /** One name of {@code origin} changed; {@code revision} orders it among that instance's changes. */
    record NameChange(String origin, long revision, Change change, String name) implements ClusterMessage {
    }

    /** {@code origin} (re)announced its whole state: take a fresh snapshot. */
    record Hello(String origin) implements ClusterMessage {
    }

    /** {@code origin} is stopping: its users are gone. */
    record Bye(String origin) implements ClusterMessage {
    }
}
