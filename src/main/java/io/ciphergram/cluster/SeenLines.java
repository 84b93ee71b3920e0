package io.ciphergram.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which lines of each other instance have been delivered here, by their {@link ClusterMessage.Line#seq}: a
 * sender that could not tell whether a line was stored stores it again, and the copy must not reach
 * anyone twice. Per origin, the highest number seen and a window of {@link #WINDOW} numbers below it (a
 * bitmap, as a replay window); a number below the window counts as seen, since a sender resends in order
 * and an outage the window cannot cover has long been caught up. At most {@link #MAX_ORIGINS} origins are
 * remembered, the least recently heard forgotten first (an instance that restarts numbers above its
 * earlier run, so forgetting it costs nothing). Relay-thread state.
 */
final class SeenLines {

    /** Numbers below the highest one that are still told apart. */
    static final int WINDOW = 4096;
    static final int MAX_ORIGINS = 256;

    private static final class Window {
        long highest = -1;
        final long[] bits = new long[WINDOW / 64];

        boolean first(long seq) {
            if (seq > highest) {
                long shift = seq - highest;
                if (highest < 0 || shift >= WINDOW) {
                    java.util.Arrays.fill(bits, 0);
                } else {
                    for (long s = highest + 1; s < seq; s++) {
                        clear(s);
                    }
                }
                highest = seq;
                set(seq);
                return true;
            }
            if (highest - seq >= WINDOW || isSet(seq)) {
                return false;
            }
            set(seq);
            return true;
        }

        private int slot(long seq) {
            return (int) Math.floorMod(seq, (long) WINDOW);
        }

        private void set(long seq) {
            int i = slot(seq);
            bits[i >>> 6] |= 1L << (i & 63);
        }

        private void clear(long seq) {
            int i = slot(seq);
            bits[i >>> 6] &= ~(1L << (i & 63));
        }

        private boolean isSet(long seq) {
            int i = slot(seq);
            return (bits[i >>> 6] & (1L << (i & 63))) != 0;
        }
    }

    private final Map<String, Window> origins = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > MAX_ORIGINS;
        }
    };

    /** Whether line {@code seq} of {@code origin} is new here (and from now on, seen). */
    boolean first(String origin, long seq) {
        return origins.computeIfAbsent(origin, o -> new Window()).first(seq);
    }
}
