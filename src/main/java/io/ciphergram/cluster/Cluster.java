package io.ciphergram.cluster;

import java.util.List;

/**
 * The other instances of a cluster, as the room sees them: what it tells them of its own participants and
 * messages, and what it asks them. Called on the relay thread only; nothing here blocks or waits for an
 * answer. {@link #SOLO}, the default, is one instance alone: nothing to tell, nobody else.
 */
public interface Cluster {

    /** A session of this instance holds {@code name} (registered under it, proven or not). */
    void claimed(String name);

    /** No session of this instance holds {@code name} any longer. */
    void released(String name);

    /** Whether another instance holds {@code name} (ignoring case), as far as this one knows. */
    boolean claimedElsewhere(String name);

    /** The session holding {@code name} joined the room here: the others list and announce it. */
    void joined(String name);

    /** It left the room here. */
    void left(String name);

    /** A member here said {@code text} to the room: every member of every other instance gets it. */
    void line(String from, String text);

    /**
     * {@code /msg to text} for a member of another instance.
     *
     * @return false if no other instance has a member named {@code to} (ignoring case)
     */
    boolean direct(String from, String to, String text);

    /** The room members of the other instances, as shown, one per name ignoring case. */
    List<String> members();

    /** Whether another instance has a room member named {@code name} (ignoring case). */
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
        public void joined(String name) {
        }

        @Override
        public void left(String name) {
        }

        @Override
        public void line(String from, String text) {
        }

        @Override
        public boolean direct(String from, String to, String text) {
            return false;
        }

        @Override
        public List<String> members() {
            return List.of();
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
