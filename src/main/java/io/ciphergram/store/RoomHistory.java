package io.ciphergram.store;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Each room's recent lines, within the {@link StorePolicy} the store was opened with (at most
 * {@code historyLines} lines and none older than {@code historyAge}; the store trims as it appends and
 * when asked to expire; what is older than {@code historyAge} is never answered). Ids increase within a room;
 * lines are returned oldest first. Rooms are keyed by their canonical form (ASCII lower case).
 */
public interface RoomHistory {

    /** Keeps {@code line}; its id must be greater than every id appended to its room (else it is ignored). */
    CompletionStage<Void> append(HistoryLine line);

    /** The newest {@code max} lines of {@code room}, oldest first. */
    CompletionStage<List<HistoryLine>> recent(String room, int max);

    /**
     * The newest {@code max} lines of {@code room} with ids greater than {@code afterId}, oldest first: what a
     * client that has every line up to {@code afterId} missed.
     */
    CompletionStage<List<HistoryLine>> after(String room, long afterId, int max);

    /**
     * The greatest id ever appended to {@code room}, or 0 (the relay goes on numbering from it after a
     * restart). It stays when the lines go (trimmed, expired or purged), so a room's ids never repeat and a
     * client's catch-up cursor keeps its meaning.
     */
    CompletionStage<Long> lastId(String room);

    /** Rooms that have history, canonical names. */
    CompletionStage<List<String>> rooms();

    /** Forgets every line of {@code room} (an operator's decision); returns how many. */
    CompletionStage<Integer> purge(String room);

    /** Drops lines older than {@code cutoffMillis} in every room; returns how many. */
    CompletionStage<Integer> expireOlderThan(long cutoffMillis);
}
