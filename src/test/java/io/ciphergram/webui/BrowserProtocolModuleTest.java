package io.ciphergram.webui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The browser's protocol modules (src/main/webui/src/protocol) and page logic, tested with Node's built-in
 * runner against the same v2 vectors in docs/PROTOCOL.md that the Java tests check: run here so that
 * {@code ./mvnw verify} fails when they do.
 */
class BrowserProtocolModuleTest {

    private static final Path WEBUI = Path.of("src/main/webui");

    @Test
    void nodeTestsOfTheBrowserClientPass() throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=tap"));
        try (var files = Files.list(WEBUI.resolve("test"))) {
            files.map(p -> WEBUI.relativize(p).toString()).filter(n -> n.endsWith(".test.js")).sorted()
                    .forEach(command::add);
        }
        assertThat(command).as("test files").hasSizeGreaterThan(3);
        Process node;
        try {
            node = new ProcessBuilder(command).directory(WEBUI.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("node is missing: install Node.js 20 (.ci/run does)", e);
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(node.exitValue()).as("node --test exit status; output:%n%s", output).isZero();
        Matcher passed = Pattern.compile("^# pass (\\d+)$", Pattern.MULTILINE).matcher(output);
        assertThat(passed.find()).as("a summary line").isTrue();
        assertThat(Integer.parseInt(passed.group(1))).as("tests that passed").isGreaterThanOrEqualTo(100);
        assertThat(output).contains("# fail 0");
    }
}
