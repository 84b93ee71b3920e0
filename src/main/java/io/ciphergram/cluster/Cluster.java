package io.ciphergram.cluster;

import java.util.List;
import java.util.Map;

/**
 * The other instances of a cluster, as the room sees them: what it tells them of its own participants and
 * messages, and what it asks them. Called on the relay thread only; nothing here blocks or waits for an
 * answer. {@link #SOLO}, the default, is one instance alone: nothing to tell, nobody else.
 */
public interface Cluster {

    /** The room everyone starts in (as {@code io.ciphergram.protocol.RoomName.LOBBY}, which this port may not import). */
    String LOBBY = "#lobby";

    /** A session of this instance holds {@code name} (registered under it, proven or not). */
    void claimed(String name);

    /** No session of this instance holds {@code name} any longer. */
    void released(String name);

    /** Whether another instance holds {@code name} (ignoring case), as far as this one knows. */
    boolean claimedElsewhere(String name);

    /**
     * The session holding {@code name} entered {@code room} here, arriving or moving from another room (a move
     * has no {@link #left} before it): the others list and announce it there.
     */
    void joined(String name, String room);

    /** It left {@code room} here (for another room, or for good). */
    void left(String name, String room);

    /**
     * A member here said {@code text} in {@code room}: every other instance delivers it to the room's members
     * there (at most once: a line said while the link is down reaches only this instance's members).
     */
    void line(String room, String from, String text, long timeMillis);

    /**
     * {@code /msg to text} (relay-readable) for a member of another instance.
     *
     * @return false if no other instance has a member named {@code to} (ignoring case)
     */
    boolean direct(String from, String to, String text);

    /**
     * An end-to-end envelope for {@code to}, a member of another instance, passed on unread.
     *
     * @return false if no other instance has a member named {@code to}
     */
    boolean sealed(String from, String to, byte[] envelope, long timeMillis);

    /** The members of {@code room} on the other instances, as shown, one per name ignoring case. */
    List<String> members(String room);

    /** Rooms with members on the other instances, canonical names, with their member counts there. */
    Map<String, Integer> rooms();

    /** Whether another instance has a room member named {@code name} (ignoring case), in any room. */
    boolean memberElsewhere(String name);

    /** The instance is stopping: the others are told its users are gone. */
    void leave();

    /** One instance alone. */
    Cluster SOLO = new Cluster() {
        @Override
        public void claimed(String name) {
        }

        @Override
        public void released(String name) {
        }

        @Override
        public boolean claimedElsewhere(String name) {
            return false;
        }

        @Override
        public void joined(String name, String room) {
        }

        @Override
        public void left(String name, String room) {
        }

        @Override
        public void line(String room, String from, String text, long timeMillis) {
        }

        @Override
        public boolean direct(String from, String to, String text) {
            return false;
        }

        @Override
        public boolean sealed(String from, String to, byte[] envelope, long timeMillis) {
            return false;
        }

        @Override
        public List<String> members(String room) {
            return List.of();
        }

        @Override
        public Map<String, Integer> rooms() {
            return Map.of();
        }

        @Override
        public boolean memberElsewhere(String name) {
            return false;
        }

        @Override
        public void leave() {
        }
    };
}
