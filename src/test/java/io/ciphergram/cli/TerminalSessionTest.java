package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.relay.Engine;
import io.ciphergram.relay.RelaySettings;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.transport.udp.UdpTransport;

/**
 * The console client as a person runs it, at a terminal: it runs in a pseudo-terminal (util-linux
 * {@code script}), so stdin and stdout are a tty as they are for a person, and what it writes is read as
 * the terminal would show it. Its server is a real engine on a loopback port.
 */
class TerminalSessionTest {

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final Pattern TIME = Pattern.compile("\\d\\d:\\d\\d ");
    /** An SGR sequence that turns bold on (ESC [ ... 1 ... m), as JLine writes it. */
    private static final Pattern BOLD = Pattern.compile("\u001b\\[(?:\\d+;)*1(?:;\\d+)*m");

    @TempDir
    Path home;

    private Engine engine;
    private UdpTransport udp;
    private Process process;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws Exception {
        engine = Engine.start(RelaySettings.defaults(), ServerIdentity.loadOrCreate(home.resolve("identity.pem")));
        udp = new UdpTransport(engine.relay(), engine.counters(), "127.0.0.1", 0);
        udp.start(null);
    }

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroyForcibly();
        }
        udp.stop(null);
        engine.close();
    }

    /** Starts the client in a pseudo-terminal; what it writes collects in {@link #screen}. */
    private OutputStream startClient(Map<String, String> environment, String... options) throws IOException {
        List<String> client = new ArrayList<>(List.of(JAVA, "-Duser.home=" + home, "-cp",
                System.getProperty("java.class.path"), CiphergramCli.class.getName(), "client", "--server",
                "127.0.0.1:" + udp.port()));
        client.addAll(List.of(options));
        Path script = home.resolve("client.sh");
        Files.writeString(script, "exec " + String.join(" ", client.stream().map(a -> "'" + a + "'").toList()) + "\n");
        ProcessBuilder builder = new ProcessBuilder("script", "-q", "-e", "-c", "sh " + script, "/dev/null");
        builder.environment().put("TERM", "xterm");
        builder.environment().remove("NO_COLOR");
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true);
        process = builder.start();
        InputStream from = process.getInputStream();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            int n;
            try {
                while ((n = from.read(buffer)) > 0) {
                    synchronized (screen) {
                        screen.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // the terminal closed
            }
        }, "pty-reader");
        reader.setDaemon(true);
        reader.start();
        return process.getOutputStream();
    }

    private String screen() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }

    private static void type(OutputStream keyboard, String keys) throws IOException {
        keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    @Test
    void atATerminalLinesAreTimedWhatWasSentIsShownAndAPrivateMessageRingsAndStandsOut() throws Exception {
        OutputStream keyboard = startClient(Map.of(), "--name", "tina");
        await().atMost(Duration.ofSeconds(30)).until(() -> screen().contains("* online (1): tina"));
        assertThat(TIME.matcher(screen()).find()).as("HH:MM before the lines: %s", screen()).isTrue();
        assertThat(screen()).contains("* you are tina; /help lists commands");

        try (ClassicPeer bob = ClassicPeer.join(udp.port(), "tbob")) {
            bob.say("/who");
            type(keyboard, "hello bob\r");
            bob.awaitLine("tina: hello bob");
            await().atMost(ClassicPeer.WAIT).until(() -> screen().contains("you: hello bob"));
            type(keyboard, "/msg tbob just you\r");
            await().atMost(ClassicPeer.WAIT).until(() -> screen().contains("you -> tbob (private): just you"));

            bob.say("/msg tina psst");
            await().atMost(ClassicPeer.WAIT).until(() -> screen().contains("tbob (private): psst"));
            String shown = screen();
            String before = shown.substring(0, shown.indexOf("tbob (private): psst"));
            String lead = before.substring(Math.max(0, before.length() - 24));
            assertThat(BOLD.matcher(lead).find()).as("highlighted (bold) just before it: %s", lead).isTrue();
            assertThat(shown.substring(shown.indexOf("tbob (private): psst"))).as("and the bell").contains("\u0007");

            type(keyboard, "/help\r");
            await().atMost(ClassicPeer.WAIT).until(() -> screen().contains("*   /who lists who is in this room"));
            type(keyboard, "\u0004"); // Ctrl-D: end of input
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("screen: %s", screen()).isZero();
            bob.awaitLine("* tina left");
        }
    }

    @Test
    void noColorAndNoBellLeaveAMentionUnmarked() throws Exception {
        OutputStream keyboard = startClient(Map.of("NO_COLOR", "1"), "--name", "tina", "--no-bell", "--timestamps=off");
        await().atMost(Duration.ofSeconds(30)).until(() -> screen().contains("* online (1): tina"));
        try (ClassicPeer bob = ClassicPeer.join(udp.port(), "tbob")) {
            bob.say("tina, are you there?");
            await().atMost(ClassicPeer.WAIT).until(() -> screen().contains("tbob: tina, are you there?"));
            String shown = screen();
            int at = shown.indexOf("tbob: tina, are you there?");
            assertThat(BOLD.matcher(shown.substring(Math.max(0, at - 24), at)).find()).as("not highlighted").isFalse();
            assertThat(shown.substring(at)).doesNotContain("\u0007");
            assertThat(TIME.matcher(shown).find()).as("--timestamps=off").isFalse();
            type(keyboard, "\u0004");
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
