package io.ciphergram.cli;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/** A client's session with the relay, whatever the profile: text lines out, text lines in. */
public interface ChatConnection extends Closeable {

    /** Sends one line (a message or a command); may block while the profile paces or its queue is full. */
    void sendText(String text) throws IOException;

    /**
     * Blocks for the next line from the relay; returns null when the session has ended.
     *
     * @throws IOException if the connection failed
     */
    String receiveText() throws IOException;

    /**
     * Waits until everything sent has been delivered, as far as the profile can tell (the classic profile
     * cannot, and returns true at once).
     *
     * @return false if that did not happen within {@code timeout}
     */
    boolean awaitDelivered(Duration timeout) throws IOException, InterruptedException;

    /**
     * Whether the server ended the session on its own (v2: its Close record arrived when this client had
     * not sent /quit); the classic profile has no way to tell, and says false.
     */
    default boolean endedByServer() {
        return false;
    }

    /** A one-line description for the status line. */
    String describe();

    @Override
    void close();
}
