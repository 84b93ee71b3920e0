package io.ciphergram.cluster;

/**
 * What the other instances cause here: the room's side of a {@link ClusterNode}. Called on the relay
 * thread only, with names and texts already checked for form ({@link ClusterCodec}).
 */
public interface ClusterListener {

    /** {@code name} joined the room on another instance (and no other instance had it listed). */
    void joined(String name);

    /** {@code name} left the room on the other instances (its last one), or its instance died or stopped. */
    void left(String name);

    /** A member of another instance said {@code text} to the room. */
    void line(String from, String text);

    /**
     * A member of another instance sent {@code text} to {@code to}, a member here (if it still is).
     *
     * @return false if {@code to} is no member here (any longer)
     */
    boolean direct(String from, String to, String text);

    /**
     * This instance's claim of {@code name} was refused: another live instance holds it (two took it at
     * once, or while the link was down). The session holding it here must take another name.
     */
    void refused(String name);

    /** The link to the other instances was lost ({@code up} false) or came back after a loss. */
    void link(boolean up);
}
