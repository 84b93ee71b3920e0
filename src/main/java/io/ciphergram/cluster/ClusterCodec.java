package io.ciphergram.cluster;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What crosses the bus between instances, as bytes: one line of UTF-8, fields separated by one space, the
 * text (which may hold spaces) last; docs/OPERATIONS.md, "Cluster", shows every form.
 *
 * <pre>
 * cg1 line     ORIGIN ROOM FROM TIME_MS TEXT
 * cg1 msg      ORIGIN FROM TO TEXT
 * cg1 sealed   ORIGIN FROM TO TIME_MS ENVELOPE   (base64, the envelope as its sender sealed it)
 * cg1 moved    ORIGIN NAME ROOM
 * cg1 claimed  ORIGIN REVISION NAME     (also released, joined, left)
 * cg1 hello    ORIGIN
 * cg1 bye      ORIGIN
 * </pre>
 *
 * Anyone who can reach the bus can write to it, so {@link #decode} takes any bytes: it returns a
 * well-formed message (names and instance ids in their alphabets, valid UTF-8, sizes within bounds) or
 * throws {@link Malformed} with a reason to count, and nothing else. Texts are passed on as they came; the
 * receiving relay cleans them as it cleans every text before showing it.
 */
public final class ClusterCodec {

    static final String VERSION = "cg1";
    /** The longest text: a v2 message (64 KiB) is the longest any participant may send. */
    public static final int MAX_TEXT_BYTES = 65_536;
    /** A whole message: the longest text with its header. */
    public static final int MAX_MESSAGE_BYTES = MAX_TEXT_BYTES + 256;
    /** Instance ids: like names, up to 64 characters. */
    public static final int MAX_INSTANCE_ID = 64;
    /** Usernames, as the registry makes them: 1–32 of {@code A-Z a-z 0-9 _ - .}. */
    public static final int MAX_NAME = 32;

    /** Why bytes from the bus were not a message. */
    public enum Reason {
        /** longer than {@link #MAX_MESSAGE_BYTES} */
        OVERSIZE,
        /** not UTF-8, not our version, an unknown kind, a missing field, a name or id out of its alphabet */
        MALFORMED
    }

    /** Bytes from the bus that are not a message. */
    public static final class Malformed extends Exception {
        private final Reason reason;

        Malformed(Reason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private ClusterCodec() {
    }

    public static byte[] encode(ClusterMessage message) {
        String text;
        if (message instanceof ClusterMessage.Line l) {
            text = VERSION + " line " + l.origin() + " " + l.seq() + " " + l.room() + " " + l.from() + " " + l.timeMillis() + " " + l.text();
        } else if (message instanceof ClusterMessage.Sealed e) {
            text = VERSION + " sealed " + e.origin() + " " + e.from() + " " + e.to() + " " + e.timeMillis() + " "
                    + java.util.Base64.getEncoder().encodeToString(e.envelope());
        } else if (message instanceof ClusterMessage.Moved m) {
            text = VERSION + " moved " + m.origin() + " " + m.name() + " " + m.room();
        } else if (message instanceof ClusterMessage.Direct d) {
            text = VERSION + " msg " + d.origin() + " " + d.from() + " " + d.to() + " " + d.text();
        } else if (message instanceof ClusterMessage.NameChange c) {
            text = VERSION + " " + c.change().name().toLowerCase(Locale.ROOT) + " " + c.origin() + " " + c.revision() + " "
                    + c.name();
        } else if (message instanceof ClusterMessage.Hello h) {
            text = VERSION + " hello " + h.origin();
        } else {
            text = VERSION + " bye " + message.origin();
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static ClusterMessage decode(byte[] bytes) throws Malformed {
        if (bytes.length > MAX_MESSAGE_BYTES) {
            throw new Malformed(Reason.OVERSIZE, bytes.length + " bytes");
        }
        String s = utf8(bytes);
        Fields f = new Fields(s);
        if (!VERSION.equals(f.next())) {
            throw new Malformed(Reason.MALFORMED, "not " + VERSION);
        }
        String kind = f.next();
        if (kind == null) {
            throw new Malformed(Reason.MALFORMED, "no kind");
        }
        String origin = instance(f.next());
        ClusterMessage message = switch (kind) {
            case "line" -> new ClusterMessage.Line(origin, revision(f.next()), room(f.next()), name(f.next()), revision(f.next()), text(f.rest()));
            case "sealed" -> new ClusterMessage.Sealed(origin, name(f.next()), name(f.next()), revision(f.next()),
                    envelope(f.last()));
            case "moved" -> new ClusterMessage.Moved(origin, name(f.next()), room(f.last()));
            case "msg" -> new ClusterMessage.Direct(origin, name(f.next()), name(f.next()), text(f.rest()));
            case "claimed", "released", "joined", "left" -> new ClusterMessage.NameChange(origin, revision(f.next()),
                    ClusterMessage.Change.valueOf(kind.toUpperCase(Locale.ROOT)), name(f.last()));
            case "hello" -> new ClusterMessage.Hello(origin);
            case "bye" -> new ClusterMessage.Bye(origin);
            default -> throw new Malformed(Reason.MALFORMED, "unknown kind");
        };
        if (!(message instanceof ClusterMessage.Line || message instanceof ClusterMessage.Direct) && !f.done()) {
            throw new Malformed(Reason.MALFORMED, "trailing fields");
        }
        return message;
    }

    /** Whether {@code name} is a username as the registry makes them. */
    public static boolean isName(String name) {
        return name != null && inAlphabet(name, MAX_NAME);
    }

    /** Whether {@code id} may name an instance. */
    public static boolean isInstanceId(String id) {
        return id != null && inAlphabet(id, MAX_INSTANCE_ID);
    }

    static String name(String field) throws Malformed {
        if (!isName(field)) {
            throw new Malformed(Reason.MALFORMED, "not a name");
        }
        return field;
    }

    static String instance(String field) throws Malformed {
        if (!isInstanceId(field)) {
            throw new Malformed(Reason.MALFORMED, "not an instance id");
        }
        return field;
    }

    /** Whether {@code room} is a room name in its canonical form: {@code #} and 1–32 of the alphabet, lower case. */
    public static boolean isRoom(String room) {
        return room != null && room.length() > 1 && room.charAt(0) == '#' && inAlphabet(room.substring(1), MAX_NAME)
                && room.equals(room.toLowerCase(Locale.ROOT));
    }

    static String room(String field) throws Malformed {
        if (!isRoom(field)) {
            throw new Malformed(Reason.MALFORMED, "not a room");
        }
        return field;
    }

    private static byte[] envelope(String field) throws Malformed {
        if (field == null || field.length() > MAX_TEXT_BYTES * 4 / 3 + 4) {
            throw new Malformed(Reason.MALFORMED, "no envelope");
        }
        try {
            return java.util.Base64.getDecoder().decode(field);
        } catch (IllegalArgumentException e) {
            throw new Malformed(Reason.MALFORMED, "not base64");
        }
    }

    private static long revision(String field) throws Malformed {
        if (field == null || field.isEmpty() || field.length() > 18 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Malformed(Reason.MALFORMED, "not a revision");
        }
        return Long.parseLong(field);
    }

    private static String text(String rest) throws Malformed {
        if (rest == null) {
            throw new Malformed(Reason.MALFORMED, "no text");
        }
        if (rest.length() > MAX_TEXT_BYTES && rest.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            throw new Malformed(Reason.OVERSIZE, "text too long");
        }
        return rest;
    }

    private static boolean inAlphabet(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                    || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String utf8(byte[] bytes) throws Malformed {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new Malformed(Reason.MALFORMED, "not UTF-8");
        }
    }

    /** Space-separated fields, read left to right; the last field of a kind may be "the rest". */
    private static final class Fields {
        private final String s;
        private int at;

        Fields(String s) {
            this.s = s;
        }

        /** The next field, or null if there is none. */
        String next() {
            if (at > s.length()) {
                return null;
            }
            int space = s.indexOf(' ', at);
            String field = space < 0 ? s.substring(at) : s.substring(at, space);
            at = space < 0 ? s.length() + 1 : space + 1;
            return field;
        }

        /** The last field: everything left, which must hold no space. */
        String last() {
            String field = next();
            return done() ? field : null;
        }

        /** Everything left, spaces included, or null if nothing is (not even an empty text). */
        String rest() {
            if (at > s.length()) {
                return null;
            }
            String rest = s.substring(at);
            at = s.length() + 1;
            return rest;
        }

        boolean done() {
            return at > s.length();
        }
    }
}
