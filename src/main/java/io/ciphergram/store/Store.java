package io.ciphergram.store;

/**
 * The relay's durable state: name bindings, mailboxes, room history. See the package documentation for
 * threads and durability.
 */
public interface Store extends AutoCloseable {

    NameBindings bindings();

    Mailboxes mailboxes();

    RoomHistory history();

    /**
     * Whether the instances of a cluster share this store (Redis): each then keeps only the lines said on
     * it, since the others keep theirs. A store of one instance's own keeps every line it delivers.
     */
    default boolean shared() {
        return false;
    }

    /** Flushes what is pending and lets go of files or connections; operations after this fail. */
    @Override
    void close();
}
