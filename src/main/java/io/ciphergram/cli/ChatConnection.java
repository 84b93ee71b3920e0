package io.ciphergram.cli;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

import io.ciphergram.protocol.v2.AppFrame;

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

    /** One thing from the relay: a text line, or, on a session that asked for frames, an app frame. */
    sealed interface Received {
        record Text(String line) implements Received {
        }

        record Frame(AppFrame frame) implements Received {
        }
    }

    /**
     * Blocks for the next line or app frame from the relay; null when the session has ended. A connection
     * that never asks for frames gets text only.
     *
     * @throws IOException if the connection failed
     */
    default Received receive() throws IOException {
        String line = receiveText();
        return line == null ? null : new Received.Text(line);
    }

    /** Sends an app frame (a session that asked for frames only). */
    default void sendFrame(AppFrame frame) throws IOException {
        throw new IOException("this connection does not speak app frames");
    }

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
