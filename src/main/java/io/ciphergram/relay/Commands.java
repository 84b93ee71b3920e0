package io.ciphergram.relay;

import java.util.Locale;

import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.session.Session;

/**
 * The commands every client has (docs/PROTOCOL.md, "Texts the relay sends" and "Rooms and history"):
 * {@code /who}, {@code /join}, {@code /rooms}, {@code /msg}, {@code /quit}, {@code /help}; anything else
 * starting with '/' gets a one-line error. {@code /who}, {@code /rooms} and {@code /msg} reach every
 * instance of a cluster.
 */
final class Commands {

    private final Rooms rooms;
    private final Privately privately;

    Commands(Rooms rooms, Privately privately) {
        this.rooms = rooms;
        this.privately = privately;
    }

    /** A text from a member: a command, or a line for its room. */
    void text(Session from, String text) {
        from.countIn();
        if (!text.startsWith("/")) {
            rooms.say(from, text);
            return;
        }
        String[] parts = text.strip().split("\\s+", 3);
        switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "/who" -> who(from);
            case "/join" -> join(from, parts);
            case "/rooms" -> rooms.notice(from, Notices.rooms(rooms.counts()));
            case "/msg" -> msg(from, parts);
            case "/quit" -> quit(from);
            case "/help" -> rooms.notice(from, Notices.HELP);
            default -> rooms.notice(from, Notices.unknownCommand(parts[0]));
        }
    }

    /**
     * Everyone in the sender's room, on every instance (a name two instances list while a conflict is
     * resolved, once). Split so that each notice fits a classic datagram, the smallest any participant has.
     */
    private void who(Session from) {
        Notices.online(rooms.membersOf(from.room()), ClassicCodec.MAX_TEXT_BYTES).forEach(line -> rooms.notice(from, line));
    }

    private void join(Session from, String[] parts) {
        if (parts.length < 2) {
            rooms.notice(from, Notices.usage("/join #room"));
            return;
        }
        rooms.join(from, parts[1]);
    }

    private void msg(Session from, String[] parts) {
        if (parts.length < 3) {
            rooms.notice(from, Notices.usage("/msg <name> <text>"));
            return;
        }
        privately.text(from, parts[1], parts[2]);
    }

    /** "* bye", then the profile's own goodbye (v2: an Ack of everything, then Close), then its room is told. */
    private void quit(Session from) {
        rooms.notice(from, Notices.BYE);
        from.outbox().close();
        rooms.end(from);
    }
}
