package io.ciphergram.testing;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.ciphergram.cli.ChatConnection;

/**
 * A client for tests over real sockets, of either profile: sends lines and collects every line it
 * receives, on a receiver thread, so a test can wait for the one it expects.
 */
public abstract class ChatPeer<C extends ChatConnection> implements AutoCloseable {

    protected final C connection;
    protected final Lines received = new Lines();

    protected ChatPeer(C connection) {
        this.connection = connection;
        Thread receiver = new Thread(this::receiveLoop, "test-peer-receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Receives lines into {@link #received} until the connection ends. */
    protected abstract void receiveLoop();

    public C connection() {
        return connection;
    }

    public void say(String text) throws IOException {
        connection.sendText(text);
    }

    /** Waits until a received line matches, and returns it. */
    public String awaitLine(Predicate<String> matching) {
        return received.await(matching);
    }

    public String awaitLine(String exact) {
        return received.await(exact);
    }

    public List<String> received() {
        return received.snapshot();
    }

    /** The room history it was sent on arrival, apart from {@link #received()} ({@link Lines#history()}). */
    public List<String> history() {
        return received.history();
    }

    private static final AtomicInteger BARRIERS = new AtomicInteger();

    /**
     * Waits until everything the server sent {@code peers} before now has arrived: {@code from} says a fresh
     * marker to the room and each peer waits for it. The server sends each peer's datagrams in order, so a
     * check for what must NOT have arrived is sound after this, and not before.
     */
    public static void barrier(ChatPeer<?> from, String fromName, ChatPeer<?>... peers) throws IOException {
        String marker = "barrier-" + BARRIERS.incrementAndGet();
        from.say(marker);
        for (ChatPeer<?> peer : peers) {
            peer.awaitLine(fromName + ": " + marker);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
