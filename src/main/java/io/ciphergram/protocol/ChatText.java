package io.ciphergram.protocol;

/**
 * Text as it may be shown to a person: what the relay does to every text it relays, and what the console
 * client does to every line it prints. Line breaks become {@code ␤} (U+2424), so one message is one line
 * and no participant can start a line that looks like a server notice; other control characters (C0, DEL,
 * C1, which drive terminals: {@code ESC ] 0 ;} retitles a window, {@code ESC [ 2 J} clears it) and the
 * bidirectional overrides (which reorder what a reader sees) become U+FFFD; a tab becomes a space.
 */
public final class ChatText {

    public static final char LINE_BREAK = '\u2424';
    public static final char REPLACED = '\uFFFD';
    private static final String ELLIPSIS = "\u2026";

    private ChatText() {
    }

    public static String clean(String text) {
        if (text.chars().noneMatch(ChatText::needsReplacing)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n' || c == '\u2028' || c == '\u2029') {
                out.append(LINE_BREAK);
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
            } else if (c == '\t') {
                out.append(' ');
            } else if (needsReplacing(c)) {
                out.append(REPLACED);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** At most {@code maxChars} characters of the cleaned text, marked with an ellipsis when cut: for echoes. */
    public static String excerpt(String text, int maxChars) {
        String cut = text.length() <= maxChars ? text : text.substring(0, Character.isHighSurrogate(
                text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars) + ELLIPSIS;
        return clean(cut);
    }

    private static boolean needsReplacing(int c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x2028 || c == 0x2029;
    }
}
