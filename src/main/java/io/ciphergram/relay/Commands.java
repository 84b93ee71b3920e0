package io.ciphergram.relay;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.session.Session;
import io.ciphergram.session.SessionRegistry;

/**
 * The commands every client has (docs/PROTOCOL.md, "Texts the relay sends"): {@code /who}, {@code /msg},
 * {@code /quit}, {@code /help}; anything else starting with '/' gets a one-line error. {@code /who} and
 * {@code /msg} reach the members of every instance of a cluster.
 */
final class Commands {

    private final Room room;
    private final SessionRegistry sessions;
    private final Counters counters;

    Commands(Room room, SessionRegistry sessions, Counters counters) {
        this.room = room;
        this.sessions = sessions;
        this.counters = counters;
    }

    void run(Session from, String text) {
        String[] parts = text.strip().split("\\s+", 3);
        switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "/who" -> who(from);
            case "/msg" -> msg(from, parts);
            case "/quit" -> quit(from);
            case "/help" -> room.notice(from, Notices.HELP);
            default -> room.notice(from, Notices.unknownCommand(parts[0]));
        }
    }

    /**
     * Everyone in the room, on every instance (a name two instances list while a conflict is resolved,
     * once). Split so that each notice fits a classic datagram, the smallest any participant has.
     */
    private void who(Session from) {
        Map<String, String> everyone = new HashMap<>();
        for (Session member : sessions.members()) {
            everyone.put(member.name().toLowerCase(Locale.ROOT), member.name());
        }
        for (String name : room.cluster().members()) {
            everyone.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
        }
        List<String> names = everyone.values().stream()
                .sorted(Comparator.comparing((String n) -> n.toLowerCase(Locale.ROOT)))
                .toList();
        Notices.online(names, ClassicCodec.MAX_TEXT_BYTES).forEach(line -> room.notice(from, line));
    }

    private void msg(Session from, String[] parts) {
        if (parts.length < 3) {
            room.notice(from, Notices.usage("/msg <name> <text>"));
            return;
        }
        Session target = sessions.byName(parts[1]);
        if (target != null && target.proven()) {
            room.privately(from, target, Notices.privateMessage(from.name(), parts[2]));
        } else if (!room.privatelyElsewhere(from, parts[1], parts[2])) {
            counters.refused();
            room.notice(from, Notices.noSuchUser(parts[1]));
        }
    }

    /** "* bye", then the profile's own goodbye (v2: an Ack of everything, then Close), then the others are told. */
    private void quit(Session from) {
        room.notice(from, Notices.BYE);
        from.outbox().close();
        room.end(from);
    }
}
