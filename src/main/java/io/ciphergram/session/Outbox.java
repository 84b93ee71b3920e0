package io.ciphergram.session;

/**
 * How a participant is reached: its own outbound encoder, chosen once when its session is made (the
 * classic profile seals each line's text under the session key; v2 queues a text line or an app frame on
 * the session's reliable channel). The relay hands every participant the same {@link Delivery} and never asks
 * which profile it speaks.
 */
public interface Outbox {

    /**
     * Sends one delivery (its texts already within the sender's limits).
     *
     * @return false if this participant could not take it (its queue is full, its share is spent, its
     *         transport is gone, or its profile cannot carry it: a sealed envelope to a text client)
     */
    boolean deliver(Delivery delivery);

    /** The session is ending on the server's side: say goodbye in the profile's own way (v2: Ack, Close). */
    void close();
}
