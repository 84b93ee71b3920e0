package io.ciphergram.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fresh directories for tests that run processes (data directories, client homes), under {@code target/scratch}
 * rather than the system's temporary directory: a test run leaves nothing behind that {@code mvn clean} does
 * not remove, and a failed run's files sit beside its reports.
 */
public final class Scratch {

    private static final Path ROOT = Path.of("target", "scratch");

    private Scratch() {
    }

    /** A new, empty directory whose name starts with {@code prefix}. */
    public static Path directory(String prefix) throws IOException {
        Files.createDirectories(ROOT);
        return Files.createTempDirectory(ROOT, prefix).toAbsolutePath();
    }
}
