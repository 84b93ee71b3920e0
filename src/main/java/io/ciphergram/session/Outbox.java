package io.ciphergram.session;

/**
 * How a participant is reached: its own outbound encoder, chosen once when its session is made (the
 * classic profile seals each line under the session key; v2 queues it on the session's reliable channel).
 * The room hands every participant the same text and never asks which profile it speaks.
 */
public interface Outbox {

    /**
     * Sends one line of text (UTF-8, already within the sender's limits).
     *
     * @return false if this participant could not take it (its queue is full or its transport is gone)
     */
    boolean send(byte[] utf8);

    /** The session is ending on the server's side: say goodbye in the profile's own way (v2: Ack, Close). */
    void close();
}
