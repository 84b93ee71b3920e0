package io.ciphergram.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One of the three clients of the original Python system, run as the real program it is
 * (src/test/python/originals/, faithful to ../shared/reference/original-clients.md: what each sends, in
 * which order and when), with Debian's python3 and python3-pycryptodome. Its name and first lines are piped
 * in one go, as {@code printf 'alice\nhello\n' | python3 client.py} does, so the seed client's username
 * follows its key by microseconds. The prompts it writes before reading (no line break after them, so they
 * may land inside a line its receive thread prints) are taken off the lines it prints.
 */
public final class OriginalClient implements AutoCloseable {

    public static final String PYTHON = "/usr/bin/python3";
    private static final Path DIR = Path.of("src/test/python/originals");
    private static final List<String> PROMPTS = List.of("Enter your username: ", "Enter your name: ", "Your name: ");
    /**
     * What the seed client prints for a line typed before its key arrived. Python's print writes the text and
     * its line break apart, so this may be glued to a line its receive thread prints at the same moment.
     */
    public static final String WAITING = "Waiting for key exchange to complete...";

    /** The three clients in the wild. */
    public enum Variant {
        /** The seed's own client: SYN, ACK, key, then its username at once; plain texts. */
        SEED("client.py", ""),
        /** Its key only, then every text as {@code NAME||text}. */
        BARS("client_bars.py", "||"),
        /** Its key only, then every text as {@code NAME: text}. */
        COLON("client_colon.py", ": ");

        final String script;
        final String separator;

        Variant(String script, String separator) {
            this.script = script;
            this.separator = separator;
        }
    }

    private final Variant variant;
    private final String name;
    private final ProcessPeer process;

    private OriginalClient(Variant variant, String name, ProcessPeer process) {
        this.variant = variant;
        this.name = name;
        this.process = process;
    }

    /** Fails (rather than skips) when Debian's python3 with pycryptodome is missing: CI installs both. */
    public static void requirePython() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(PYTHON + " is missing: install Debian's python3");
        }
        Process probe = new ProcessBuilder(PYTHON, "-c", "import Cryptodome").redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        probe.getInputStream().transferTo(out);
        if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
            throw new AssertionError("python3-pycryptodome is missing (apt-get install python3-pycryptodome): " + out);
        }
    }

    /**
     * Starts {@code variant} against UDP {@code port} on loopback and pipes its name and {@code firstLines}
     * at once, before it has even sent its key.
     */
    public static OriginalClient start(Variant variant, int port, String name, String... firstLines) throws IOException {
        List<String> command = List.of(PYTHON, "-u", DIR.resolve(variant.script).toString(), "--port",
                Integer.toString(port));
        ProcessPeer process = new ProcessPeer(command);
        List<String> input = new ArrayList<>();
        input.add(name);
        input.addAll(List.of(firstLines));
        process.pipe(input);
        return new OriginalClient(variant, name, process);
    }

    public Variant variant() {
        return variant;
    }

    /** The name its user typed. */
    public String name() {
        return name;
    }

    /** What a line it sends looks like to the server: the variants put the name before every text. */
    public String wire(String text) {
        return variant == Variant.SEED ? text : name + variant.separator + text;
    }

    /** Types one more line. */
    public void say(String line) throws IOException {
        process.say(line);
    }

    /** The next printed line matching {@code matching} (prompts taken off), consumed. */
    public String awaitLine(Predicate<String> matching) {
        return withoutPrompt(process.awaitLine(l -> matching.test(withoutPrompt(l))));
    }

    public String awaitLine(String exact) {
        return awaitLine(exact::equals);
    }

    /** Every line it printed so far, prompts taken off. */
    public List<String> stdout() {
        return process.stdout().stream().map(OriginalClient::withoutPrompt).toList();
    }

    /** The room history lines it printed, prompts taken off ({@link Lines#history()}). */
    public List<String> history() {
        return process.history().stream().map(OriginalClient::withoutPrompt).toList();
    }

    public List<String> stderr() {
        return process.stderr();
    }

    /** Whether it printed {@code notice}, on a line of its own or glued to another. */
    public boolean printed(String notice) {
        return process.stdout().stream().anyMatch(l -> l.contains(notice));
    }

    /**
     * A prompt is written without a line break, so it may land anywhere in the line a receive thread prints;
     * so may {@link #WAITING}, whose line break comes apart from it.
     */
    private static String withoutPrompt(String line) {
        String l = line;
        for (String prompt : PROMPTS) {
            l = l.replace(prompt, "");
        }
        if (!l.equals(WAITING) && l.contains(WAITING)) {
            l = l.replace(WAITING, "");
        }
        return l;
    }

    @Override
    public void close() {
        process.close();
    }
}
