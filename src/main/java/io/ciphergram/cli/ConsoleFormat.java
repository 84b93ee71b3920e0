package io.ciphergram.cli;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ciphergram.protocol.ChatText;

/**
 * How the console client shows a line on stdout: the line as the relay sent it ({@code bob: hi},
 * {@code * notice}; cleaned, so a server cannot drive the terminal), with an optional time before it, and
 * whether it calls for the user's attention (a private message, or a message naming them). Also the
 * feedback lines a person at a terminal gets for what they sent. Pure: the clock and the user's current
 * name are passed in.
 */
final class ConsoleFormat {

    /** {@code --timestamps}: none, {@code HH:MM}, or the full local date and time to the second. */
    enum Timestamps {
        OFF(null), SHORT(DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT)),
        FULL(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT));

        private final DateTimeFormatter format;

        Timestamps(DateTimeFormatter format) {
            this.format = format;
        }
    }

    /** One line to show, and whether it is for the user in particular. */
    record Shown(String text, boolean forYou) {
    }

    private static final Pattern PRIVATE = Pattern.compile("^[^:\\s]+ \\(private\\): ");
    private static final Pattern MSG = Pattern.compile("^/msg\\s+(\\S+)\\s+(.+)$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final String COMMANDS = "* commands: ";

    private final Timestamps timestamps;

    ConsoleFormat(Timestamps timestamps) {
        this.timestamps = timestamps;
    }

    /** A line from the relay, as shown; {@code me} is this user's name (a mention of it is for them). */
    Shown incoming(String line, String me, LocalDateTime now) {
        String clean = ChatText.clean(line);
        return new Shown(stamp(now) + clean, forYou(clean, me));
    }

    /**
     * The relay's one-line {@code /help} answer as a line per command ("* commands: /who lists who is
     * online; /msg ..." → "* commands:", "*   /who lists who is online", ...), or the line itself.
     */
    List<String> perCommand(String line) {
        String clean = ChatText.clean(line);
        if (!clean.startsWith(COMMANDS)) {
            return List.of(clean);
        }
        List<String> lines = new ArrayList<>();
        lines.add("* commands:");
        for (String command : clean.substring(COMMANDS.length()).split(";\\s*")) {
            lines.add("*   " + command.strip());
        }
        return lines;
    }

    /** What a person sees for a line they sent: {@code you: hi}, {@code you -> bob (private): hi}; none for other commands. */
    String sent(String typed, LocalDateTime now) {
        String line = typed.strip();
        Matcher msg = MSG.matcher(line);
        if (msg.matches()) {
            return stamp(now) + "you -> " + ChatText.clean(msg.group(1)) + " (private): " + ChatText.clean(msg.group(2));
        }
        if (line.startsWith("/")) {
            return null; // the relay answers /who, /help and the rest itself
        }
        return stamp(now) + "you: " + ChatText.clean(typed);
    }

    /** The time before a line, with its space; empty with timestamps off. */
    String stamp(LocalDateTime now) {
        return timestamps.format == null ? "" : timestamps.format.format(now) + " ";
    }

    /**
     * A private message to this user, or another's message that names them as a word (case-insensitive):
     * "bob: alice, look" and "bob: hi @alice" do, "bob: malice" does not; notices never do.
     */
    static boolean forYou(String line, String me) {
        if (line.startsWith("* ")) {
            return false;
        }
        if (PRIVATE.matcher(line).find()) {
            return true;
        }
        int colon = line.indexOf(": ");
        if (me == null || me.isEmpty() || colon < 0) {
            return false;
        }
        String text = line.substring(colon + 2).toLowerCase(Locale.ROOT);
        String name = me.toLowerCase(Locale.ROOT);
        for (int at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
            boolean startsWord = at == 0 || !isNameChar(text.charAt(at - 1));
            int end = at + name.length();
            boolean endsWord = end == text.length() || !isNameChar(text.charAt(end));
            if (startsWord && endsWord) {
                return true;
            }
        }
        return false;
    }

    /** Characters a username may hold (letters, digits, _ - .): a mention is the name not inside a longer one. */
    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }
}
