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

    /** A room message from a member of {@code origin}, for every member of every other instance. */
    record Line(String origin, String from, String text) implements ClusterMessage {
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
