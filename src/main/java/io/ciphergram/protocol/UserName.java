package io.ciphergram.protocol;

/**
 * Usernames: 1-32 characters of ASCII {@code A-Z a-z 0-9 _ - .}, unique ignoring (ASCII) case. This is the
 * one place that says what a name is and when two are the same, for the registry, commands, the admin API
 * and the cluster alike. Case is folded by ASCII rules only: {@code String.toLowerCase} would fold the
 * Kelvin sign (U+212A) to {@code k} and the dotless-i rules of some locales too, so a name typed with
 * look-alike characters would find a user here that no other instance or store knows by that text.
 */
public final class UserName {

    /** Usernames are 1–32 characters of letters, digits, '_', '-' and '.'. */
    public static final int MAX_LENGTH = 32;

    private UserName() {
    }

    /** Whether {@code text} is a name exactly as it stands (no sanitizing). */
    public static boolean isValid(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!allowed(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The key two names share when they are the same name: ASCII lower case; null if {@code text} is not a
     * valid name at all (so it names nobody).
     */
    public static String canonical(String text) {
        if (!isValid(text)) {
            return null;
        }
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c >= 'A' && c <= 'Z') {
                chars[i] = (char) (c + ('a' - 'A'));
            }
        }
        return new String(chars);
    }

    /** Whether two names are one name. */
    public static boolean same(String a, String b) {
        String ca = canonical(a);
        return ca != null && ca.equals(canonical(b));
    }

    /**
     * Whether the naming rules could have given {@code given} to a session that asked for {@code requested}:
     * the same name, or it with the number a taken name gets ({@code alice} → {@code alice2}).
     */
    public static boolean givenFor(String given, String requested) {
        String g = canonical(given);
        String base = canonical(sanitize(requested));
        if (g == null || base == null) {
            return false;
        }
        if (g.equals(base)) {
            return true;
        }
        int digits = g.length();
        while (digits > 0 && Character.isDigit(g.charAt(digits - 1))) {
            digits--;
        }
        String suffix = g.substring(digits);
        if (suffix.isEmpty() || suffix.charAt(0) == '0' || suffix.length() > 9 || Integer.parseInt(suffix) < 2) {
            return false;
        }
        return g.substring(0, digits).equals(base.substring(0, Math.min(base.length(), MAX_LENGTH - suffix.length())));
    }

    /**
     * The valid name closest to {@code requested}, so that an unmodified seed client always gets in: each
     * invalid character becomes '_', at most 32 are kept, an empty name becomes {@code user}.
     */
    public static String sanitize(String requested) {
        StringBuilder sb = new StringBuilder();
        requested.codePoints().limit(MAX_LENGTH).forEach(cp -> sb.append(cp < 128 && allowed((char) cp) ? (char) cp : '_'));
        return sb.length() == 0 ? "user" : sb.toString();
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                || c == '.';
    }
}
