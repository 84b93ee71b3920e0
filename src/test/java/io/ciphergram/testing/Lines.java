package io.ciphergram.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The lines a test peer has received so far, and waiting for one to arrive. Each line answers one
 * {@link #await} only: awaiting the same text twice waits for it to arrive twice, so a test never mistakes
 * an old line for the one its last action caused. A room's history, sent on arrival between
 * {@code * earlier in #room:} and {@code * end of earlier lines} (docs/PROTOCOL.md, "Rooms and history"), is kept
 * apart ({@link #history()}): the peers of tests that share one server would otherwise see each other's
 * earlier lines among their own. Thread-safe.
 */
public final class Lines {

    public static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> history = new CopyOnWriteArrayList<>();
    private final Set<Integer> consumed = ConcurrentHashMap.newKeySet();
    private boolean inHistory;

    synchronized void add(String line) {
        if (inHistory && !line.equals("* end of earlier lines")) {
            history.add(line);
            return;
        }
        inHistory = line.startsWith("* earlier in #") && line.endsWith(":");
        lines.add(line);
    }

    /** The history lines received ({@code [HH:MM] alice: text}), in order. */
    public List<String> history() {
        return new ArrayList<>(history);
    }

    /** Waits until a line not awaited before matches, consumes it, and returns it. */
    public String await(Predicate<String> matching) {
        return org.awaitility.Awaitility.await().atMost(WAIT).until(() -> take(matching), line -> line != null);
    }

    private synchronized String take(Predicate<String> matching) {
        for (int i = 0; i < lines.size(); i++) {
            if (!consumed.contains(i) && matching.test(lines.get(i))) {
                consumed.add(i);
                return lines.get(i);
            }
        }
        return null;
    }

    public String await(String exact) {
        return await(exact::equals);
    }

    public List<String> snapshot() {
        return new ArrayList<>(lines);
    }
}
