package io.ciphergram.webui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The browser's protocol modules (src/main/webui/src/protocol) and page logic, tested with Node's built-in
 * runner against the same v2 vectors in docs/PROTOCOL.md that the Java tests check: run here so that
 * {@code ./mvnw verify} fails when they do. Each node test is reported as a test of its own, so the build
 * output counts them and a failure is named.
 */
class BrowserProtocolModuleTest {

    private static final Path WEBUI = Path.of("src/main/webui");
    private static final Path WORK = Path.of("target/node-tests");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TestFactory
    Stream<DynamicTest> nodeTestsOfTheBrowserClient() throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "--test"));
        try (var files = Files.list(WEBUI.resolve("test"))) {
            files.map(p -> WEBUI.relativize(p).toString()).filter(n -> n.endsWith(".test.js")).sorted()
                    .forEach(command::add);
        }
        NodeTestRun run = NodeTestRun.run(WEBUI, command, WORK, TIMEOUT);
        DynamicTest whole = dynamicTest("node --test finishes within " + TIMEOUT.toSeconds() + " s and passes", () -> {
            assertThat(run.finished()).as("node finished; the end of its output so far (all of it in %s):%n%s",
                    WORK.resolve("output.txt"), tail(run.output())).isTrue();
            assertThat(run.exitCode()).as("node --test exit status; the end of its output (all of it in %s):%n%s",
                    WORK.resolve("output.txt"), tail(run.output())).isZero();
            assertThat(run.cases()).as("node tests (in %s test files)", command.size() - 2).hasSizeGreaterThanOrEqualTo(100);
        });
        return Stream.concat(Stream.of(whole), run.cases().stream().map(c -> dynamicTest(c.name(),
                () -> assertThat(c.failure()).as(c.name()).isNull())));
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Test
    void aNodeThatHangsIsStoppedAtTheTimeoutAndSaysSo() throws Exception {
        long start = System.nanoTime();
        NodeTestRun run = NodeTestRun.run(WEBUI, List.of("node", "-e", "console.log('started'); setInterval(() => {}, 1000)"),
                WORK.resolve("hung"), Duration.ofSeconds(3));
        assertThat(run.finished()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(run.output()).contains("started");
        assertThat(run.cases()).isEmpty();
    }
}
