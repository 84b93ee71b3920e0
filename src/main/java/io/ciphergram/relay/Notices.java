package io.ciphergram.relay;

import java.util.ArrayList;
import java.util.List;

import io.ciphergram.protocol.ChatText;

/**
 * The texts the relay itself sends, as encrypted text every client shows: notices start with "* " so the
 * console client (and a person reading an old client) can tell them from messages.
 */
final class Notices {

    static final String HELP = "* commands: /who lists who is in this room; /join #room moves you to a room;"
            + " /rooms lists the rooms; /msg <name> <text> sends a private message; /quit leaves; /help shows this";

    private Notices() {
    }

    static String joined(String name) {
        return "* " + name + " joined";
    }

    static String left(String name) {
        return "* " + name + " left";
    }

    /**
     * @param member whether it is in the room already; a classic client joins it with its first message,
     *        which proves it receives at its address
     */
    static String welcome(String requested, String valid, String effective, boolean member) {
        return welcome(requested, valid, effective, member, false);
    }

    /** @param bound whether {@code valid} was refused because it belongs to another identity */
    static String welcome(String requested, String valid, String effective, boolean member, boolean bound) {
        String why = "";
        if (!valid.equals(requested)) {
            why = " (names are 1-32 letters, digits, _ - .)";
        } else if (!effective.equals(valid)) {
            why = bound ? " (" + valid + " belongs to another identity)" : " (" + valid + " is taken)";
        }
        return "* you are " + effective + why + "; " + next(member);
    }

    static String inRoom(String room) {
        return "* you are in " + room;
    }

    static String earlierIn(String room) {
        return "* earlier in " + room + ":";
    }

    static final String END_OF_EARLIER = "* end of earlier lines";

    static String tooManyRooms() {
        return "* too many rooms: join one that exists (/rooms lists them)";
    }

    static String roomFull(String room) {
        return "* " + room + " is full";
    }

    static String noSuchRoomName(String text) {
        return "* a room is # and 1-32 letters, digits, _ - . (not " + ChatText.excerpt(text, ECHO_CHARS) + ")";
    }

    /** "* rooms: #dev (2), #lobby (5)". */
    static String rooms(java.util.Map<String, Integer> counts) {
        StringBuilder b = new StringBuilder("* rooms:");
        String sep = " ";
        for (java.util.Map.Entry<String, Integer> e : new java.util.TreeMap<>(counts).entrySet()) {
            b.append(sep).append(e.getKey()).append(" (").append(e.getValue()).append(')');
            sep = ", ";
        }
        return counts.isEmpty() ? "* rooms: none" : b.toString();
    }

    static String storedForLater(String name) {
        return "* " + name + " is offline: stored end to end, delivered when " + name + " returns";
    }

    static String mailboxFull(String name) {
        return "* " + name + "'s mailbox is full: not stored";
    }

    static String notEndToEnd(String name) {
        return "* private messages to " + name + " are not end to end: the server can read them";
    }

    static final String MALFORMED_ENVELOPE = "* that end-to-end message was malformed and was not sent";

    static final String BAD_PREKEY = "* that prekey is not signed by your identity: not published";

    static final String CANNOT_SEAL = "* end-to-end messages need an identity; this one was not sent";

    /** A line: its sender's server-given name and its (already cleaned) text. */
    static String line(String from, String cleanText) {
        return from + ": " + cleanText;
    }

    /** A private line the relay could read. */
    static String privateLine(String from, String cleanText) {
        return from + " (private): " + cleanText;
    }

    static String welcomeGuest(String name, boolean member) {
        return "* connected as " + name + "; " + next(member);
    }

    private static String next(boolean member) {
        return member ? "/help lists commands" : "say something to join the room (/help lists commands)";
    }

    /** {@code max} is the sender's own limit: 3055 bytes for classic (one datagram), 64 KiB for v2. */
    static String tooLong(int bytes, int max) {
        return "* message not sent: " + bytes + " bytes, at most " + max + " fit in one message";
    }

    /** How much of what a client typed a notice repeats: enough to recognise, never enough to overflow. */
    static final int ECHO_CHARS = 32;

    static String noSuchUser(String name) {
        return "* no such user: " + ChatText.excerpt(name, ECHO_CHARS);
    }

    static String unknownCommand(String command) {
        return "* unknown command " + ChatText.excerpt(command, ECHO_CHARS) + "; /help lists commands";
    }

    static String usage(String usage) {
        return "* usage: " + usage;
    }

    static String flooded(double perSecond, double burst) {
        return "* slow down: messages over " + fmt(perSecond) + "/s (burst " + fmt(burst) + ") are dropped";
    }

    static String privateMessage(String from, String text) {
        return from + " (private): " + ChatText.clean(text);
    }

    /** An operator's announcement (the admin API's broadcast). */
    static String fromServer(String text) {
        return "* [server] " + ChatText.clean(text);
    }

    /** What a participant the operator removes is told before its session ends. */
    static final String REMOVED = "* you were removed by the operator";

    /** Every relayed line names its real sender, and its text cannot break the line. */
    static String message(String from, String text) {
        return from + ": " + ChatText.clean(text);
    }

    static final String BYE = "* bye";

    /** What members are told when this instance loses its link to the other instances of its cluster. */
    static final String CLUSTER_DOWN = "* the other servers of this chat are unreachable: messages reach only the people"
            + " on this server until they are back";

    /** And when it is back. */
    static final String CLUSTER_BACK = "* the other servers of this chat are reachable again";

    /** What every participant is told when the server stops. */
    static final String SHUTTING_DOWN = "* server shutting down";

    /**
     * "* online (3): alice, bob, carol", split over as many notices as it takes for each to fit in
     * {@code maxChars} characters (names are ASCII, so characters are bytes).
     */
    static List<String> online(List<String> names, int maxChars) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder("* online (" + names.size() + "):");
        String separator = " ";
        for (String name : names) {
            if (line.length() + separator.length() + name.length() > maxChars) {
                lines.add(line.toString());
                line = new StringBuilder("*");
                separator = " ";
            }
            line.append(separator).append(name);
            separator = ", ";
        }
        lines.add(line.toString());
        return lines;
    }


    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
