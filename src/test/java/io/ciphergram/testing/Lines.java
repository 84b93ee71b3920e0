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
 * an old line for the one its last action caused. Thread-safe.
 */
public final class Lines {

    public static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Set<Integer> consumed = ConcurrentHashMap.newKeySet();

    void add(String line) {
        lines.add(line);
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
