package io.ciphergram.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** The lines a test peer has received so far, and waiting for one to arrive. Thread-safe. */
public final class Lines {

    public static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String> lines = new CopyOnWriteArrayList<>();

    void add(String line) {
        lines.add(line);
    }

    /** Waits until a line matches, and returns it. */
    public String await(Predicate<String> matching) {
        return org.awaitility.Awaitility.await().atMost(WAIT)
                .until(() -> lines.stream().filter(matching).findFirst().orElse(null), line -> line != null);
    }

    public String await(String exact) {
        return await(exact::equals);
    }

    public List<String> snapshot() {
        return new ArrayList<>(lines);
    }
}
