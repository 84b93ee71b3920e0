package io.ciphergram.webui;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * One run of {@code node --test}, bounded in time: node's output goes to a file rather than a pipe, so
 * nothing waits on reading it, and a node that does not finish within the timeout is killed with every
 * process it started. Each test's outcome is read from node's JUnit XML report.
 */
final class NodeTestRun {

    /** One node test: its suites and name joined by " › ", and the failure message, or null if it passed. */
    record Case(String name, String failure) {
    }

    private final boolean finished;
    private final int exitCode;
    private final String output;
    private final List<Case> cases;

    private NodeTestRun(boolean finished, int exitCode, String output, List<Case> cases) {
        this.finished = finished;
        this.exitCode = exitCode;
        this.output = output;
        this.cases = cases;
    }

    /**
     * Runs {@code command} in {@code directory} with {@code --test-reporter=junit} writing to
     * {@code work/report.xml} and the human-readable output to {@code work/output.txt}.
     */
    static NodeTestRun run(Path directory, List<String> command, Path work, Duration timeout) throws IOException,
            InterruptedException {
        Files.createDirectories(work);
        Path report = work.resolve("report.xml").toAbsolutePath();
        Path log = work.resolve("output.txt").toAbsolutePath();
        Files.deleteIfExists(report);
        List<String> full = new ArrayList<>(command.subList(0, 1));
        full.addAll(List.of("--test-reporter=spec", "--test-reporter-destination=stdout",
                "--test-reporter=junit", "--test-reporter-destination=" + report));
        full.addAll(command.subList(1, command.size()));
        Process node;
        try {
            node = new ProcessBuilder(full).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("node is missing: install Node.js 20 (.ci/run does)", e);
        }
        boolean finished = node.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            node.descendants().forEach(ProcessHandle::destroyForcibly); // node --test runs each file in a child
            node.destroyForcibly();
            if (!node.waitFor(10, TimeUnit.SECONDS)) { // SIGKILL ignored only by a process stuck in the kernel
                throw new AssertionError("node did not finish within " + timeout + " and did not die when killed: pid "
                        + node.pid());
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        List<Case> cases = Files.exists(report) ? cases(report) : List.of();
        return new NodeTestRun(finished, finished ? node.exitValue() : -1, output, cases);
    }

    boolean finished() {
        return finished;
    }

    int exitCode() {
        return exitCode;
    }

    /** What node printed (its spec reporter), for a failure message. */
    String output() {
        return output;
    }

    List<Case> cases() {
        return cases;
    }

    private static List<Case> cases(Path report) throws IOException {
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var document = factory.newDocumentBuilder().parse(report.toFile());
            List<Case> found = new ArrayList<>();
            NodeList testcases = document.getElementsByTagName("testcase");
            for (int i = 0; i < testcases.getLength(); i++) {
                Element testcase = (Element) testcases.item(i);
                NodeList failures = testcase.getElementsByTagName("failure");
                String failure = failures.getLength() == 0 ? null
                        : ((Element) failures.item(0)).getAttribute("message") + "\n" + failures.item(0).getTextContent();
                found.add(new Case(qualifiedName(testcase), failure));
            }
            return found;
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException("node's JUnit report does not parse: " + report, e);
        }
    }

    private static String qualifiedName(Element testcase) {
        List<String> names = new ArrayList<>(List.of(testcase.getAttribute("name")));
        for (Node up = testcase.getParentNode(); up instanceof Element suite && "testsuite".equals(suite.getTagName());
                up = up.getParentNode()) {
            names.add(0, suite.getAttribute("name"));
        }
        return String.join(" › ", names);
    }
}
