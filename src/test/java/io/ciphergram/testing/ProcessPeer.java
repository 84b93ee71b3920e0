package io.ciphergram.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A client in another process: lines to its stdin, its stdout and stderr collected line by line. */
public final class ProcessPeer implements AutoCloseable {

    private final Process process;
    private final Writer stdin;
    private final Lines stdout = new Lines();
    private final List<String> stderr = new CopyOnWriteArrayList<>();

    public ProcessPeer(List<String> command) throws IOException {
        this(command, Map.of());
    }

    /** Runs {@code command} with {@code environment} added to this process's. */
    public ProcessPeer(List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        process = builder.start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        collect(process.getInputStream(), stdout::add);
        collect(process.getErrorStream(), stderr::add);
    }

    private static void collect(InputStream in, Consumer<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    into.accept(line);
                }
            } catch (IOException e) {
                // process ended
            }
        }, "process-peer-reader");
        t.setDaemon(true);
        t.start();
    }

    public Process process() {
        return process;
    }

    public void say(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /** Writes {@code lines} to stdin in one go, as {@code printf 'a\nb\n' | client} does. */
    public void pipe(List<String> lines) throws IOException {
        stdin.write(String.join("\n", lines) + "\n");
        stdin.flush();
    }

    /** Closes stdin: the client's end of input. */
    public void endInput() throws IOException {
        stdin.close();
    }

    public String awaitLine(Predicate<String> matching) {
        return stdout.await(matching);
    }

    public String awaitLine(String exact) {
        return stdout.await(exact);
    }

    public void awaitStderr(Predicate<String> matching) {
        await().atMost(ClassicPeer.WAIT).until(() -> stderr.stream().anyMatch(matching));
    }

    public List<String> stdout() {
        return stdout.snapshot();
    }

    /** The room history lines it printed ({@link Lines#history()}), kept apart from {@link #stdout()}. */
    public List<String> history() {
        return stdout.history();
    }

    public List<String> stderr() {
        return new ArrayList<>(stderr);
    }

    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(ClassicPeer.WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("process did not exit; stderr: " + stderr);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
