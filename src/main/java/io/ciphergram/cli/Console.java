package io.ciphergram.cli;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp;

/**
 * The person's side of the console client: lines typed in, lines shown on stdout. Two kinds, chosen once:
 * plain streams (a pipe, a file, a test), or, when stdin is a terminal, JLine 3 with line editing, history,
 * and a prompt that incoming lines are printed above, so they never break what is being typed.
 * Thread-safe: one thread reads, any thread shows.
 */
abstract class Console implements Closeable {

    /** How a line that is for the user (a private message, a mention) is marked. */
    record Attention(boolean bell, boolean highlight) {
    }

    final Attention attention;

    Console(Attention attention) {
        this.attention = attention;
    }

    /** The next line typed, or null at end of input (Ctrl-D, a closed pipe; Ctrl-C too at a terminal). */
    abstract String readLine() throws IOException;

    /** Shows one line; {@code forYou} marks it as the user's attention settings say. */
    abstract void show(String line, boolean forYou);

    /** A status line (stderr's, such as "lost the server ..."), which must not break the line being typed either. */
    abstract void status(String line);

    @Override
    public void close() {
    }

    /** Reads a stream, prints to a stream; marks with BEL and ANSI bold, when asked (stdout a terminal). */
    static final class Plain extends Console {
        private final BufferedReader in;
        private final PrintStream out;
        private final PrintStream err;

        Plain(BufferedReader in, PrintStream out, PrintStream err, Attention attention) {
            super(attention);
            this.in = in;
            this.out = out;
            this.err = err;
        }

        @Override
        void status(String line) {
            err.println(line);
        }

        @Override
        String readLine() throws IOException {
            return in.readLine();
        }

        @Override
        void show(String line, boolean forYou) {
            String shown = forYou && attention.highlight() ? "\u001b[1m" + line + "\u001b[0m" : line;
            synchronized (out) {
                out.println(forYou && attention.bell() ? shown + "\u0007" : shown);
            }
        }
    }

    /** JLine on the process's own terminal. */
    static final class Interactive extends Console {
        private static final String PROMPT = "> ";
        private final Terminal terminal;
        private final LineReader reader;

        private Interactive(Terminal terminal, Attention attention) {
            super(attention);
            this.terminal = terminal;
            this.reader = LineReaderBuilder.builder().terminal(terminal)
                    .option(LineReader.Option.ERASE_LINE_ON_FINISH, true) // what was sent is shown as "you: ..."
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // a '!' in chat is text
                    .build();
        }

        /** The terminal, or null if JLine finds none it can drive (then the caller reads plainly). */
        static Interactive open(Attention attention) {
            try {
                Terminal terminal = TerminalBuilder.builder().system(true).dumb(false).build();
                return new Interactive(terminal, attention);
            } catch (IOException | IllegalStateException e) {
                return null;
            }
        }

        @Override
        String readLine() {
            try {
                return reader.readLine(PROMPT);
            } catch (EndOfFileException | UserInterruptException e) {
                return null;
            }
        }

        @Override
        void show(String line, boolean forYou) {
            AttributedString shown = forYou && attention.highlight()
                    ? new AttributedString(line, AttributedStyle.BOLD.foreground(AttributedStyle.YELLOW))
                    : new AttributedString(line);
            synchronized (this) {
                reader.printAbove(shown);
                if (forYou && attention.bell()) {
                    terminal.puts(InfoCmp.Capability.bell);
                    terminal.flush();
                }
            }
        }

        @Override
        void status(String line) {
            synchronized (this) {
                reader.printAbove(line);
            }
        }

        @Override
        public void close() {
            try {
                terminal.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
