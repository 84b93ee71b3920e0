package io.ciphergram.cli;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.ciphergram.protocol.v2.AppFrame;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * Where a framed client is (docs/PROTOCOL.md, "Rooms and history"): the room it is in and, per room, the id
 * of the last line of it it has seen, so that a reconnect offers {@code resume(room, last id)} and the relay
 * sends only what came after: never a line twice (#18). The room is learnt from the relay's
 * {@code * you are in #NAME} and from the lines of a room that arrive. Thread-safe: the receiver thread
 * feeds it, the connection's I/O thread reads it at each new session.
 */
final class RoomCursor {

    private static final String YOU_ARE_IN = "* you are in ";

    private final Map<String, Long> lastIds = new HashMap<>();
    private String room;

    /** A line arrived: its room's cursor moves on (ids increase within a room; a private line has none). */
    synchronized void onLine(AppFrame.Line line) {
        if (line.privately() || line.room().isEmpty() || line.id() <= 0) {
            return;
        }
        String key = key(line.room());
        lastIds.merge(key, line.id(), Math::max);
        if (room == null) {
            room = line.room(); // the first room is #lobby's, told by its lines if by nothing else
        }
    }

    /** A notice or text line: {@code * you are in #dev} says the room changed. */
    synchronized void onNotice(String text) {
        if (text.startsWith(YOU_ARE_IN)) {
            String rest = text.substring(YOU_ARE_IN.length()).strip();
            int end = rest.indexOf(' ');
            room = end < 0 ? rest : rest.substring(0, end);
        }
    }

    synchronized String room() {
        return room;
    }

    /** The last line id seen in {@code room}, 0 if none. */
    synchronized long lastId(String room) {
        return lastIds.getOrDefault(key(room), 0L);
    }

    /** What to offer a new session: where this client was, or null before it was anywhere. */
    synchronized V2Frame.Resume resume() {
        return room == null ? null : new V2Frame.Resume(room, lastIds.getOrDefault(key(room), 0L));
    }

    /** Room names are the same ignoring ASCII case (RoomName). */
    private static String key(String room) {
        return room.toLowerCase(Locale.ROOT);
    }
}
