package io.ciphergram.protocol.v2;

import java.util.EnumMap;
import java.util.Map;

/** Counts what the reliable layer reports, as the server's metrics do. */
final class CountingEvents implements ReliableEvents {

    private final Map<Event, Long> counts = new EnumMap<>(Event.class);

    @Override
    public void on(Event event) {
        counts.merge(event, 1L, Long::sum);
    }

    long count(Event event) {
        return counts.getOrDefault(event, 0L);
    }
}
