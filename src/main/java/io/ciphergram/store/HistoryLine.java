package io.ciphergram.store;

/**
 * One line said in a room, as the room's history keeps it (in clear: history is for the room's members, and
 * the relay reads room lines anyway). Private messages are never history.
 *
 * @param id the line's id, increasing within its room (assigned by whoever orders the room's lines: the
 *        relay alone, or the cluster's stream in cluster mode); a client's catch-up cursor
 * @param room the room's canonical name ({@code #lobby})
 * @param from the sender's name
 * @param text what was said
 * @param timeMillis when the relay received it (epoch milliseconds)
 */
public record HistoryLine(long id, String room, String from, String text, long timeMillis) {
}
