package io.ciphergram.cluster;

/**
 * What the other instances cause here: the room's side of a {@link ClusterNode}. Called on the relay
 * thread only, with names and texts already checked for form ({@link ClusterCodec}).
 */
public interface ClusterListener {

    /** {@code name} entered {@code room} on another instance (and no other instance had it listed there). */
    void joined(String name, String room);

    /** {@code name} left {@code room} on the other instances, or its instance died or stopped. */
    void left(String name, String room);

    /** A member of another instance said {@code text} in {@code room}, at {@code timeMillis} by its clock. */
    void line(String room, long timeMillis, String from, String text);

    /**
     * A member of another instance sent {@code text} to {@code to}, a member here (if it still is).
     *
     * @return false if {@code to} is no member here (any longer)
     */
    boolean direct(String from, String to, String text);

    /**
     * A member of another instance sealed {@code envelope} to {@code to}, a member here.
     *
     * @return false if {@code to} is no member here (any longer): the sender's instance then keeps it in the
     *         mailbox
     */
    boolean sealed(String from, String to, byte[] envelope, long timeMillis);

    /**
     * This instance's claim of {@code name} was refused: another live instance holds it (two took it at
     * once, or while the link was down). The session holding it here must take another name.
     */
    void refused(String name);

    /** The link to the other instances was lost ({@code up} false) or came back after a loss. */
    void link(boolean up);
}
