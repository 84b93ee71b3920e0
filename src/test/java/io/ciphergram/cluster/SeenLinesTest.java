package io.ciphergram.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeenLinesTest {

    private final SeenLines seen = new SeenLines();

    @Test
    void eachLineOfAnOriginIsNewOnceInWhateverOrderItComes() {
        assertThat(seen.first("a", 100)).isTrue();
        assertThat(seen.first("a", 100)).isFalse();
        assertThat(seen.first("a", 103)).isTrue();
        assertThat(seen.first("a", 101)).as("late, not yet seen").isTrue();
        assertThat(seen.first("a", 101)).isFalse();
        assertThat(seen.first("a", 102)).isTrue();
        assertThat(seen.first("a", 103)).isFalse();
        assertThat(seen.first("b", 100)).as("another origin counts apart").isTrue();
    }

    @Test
    void aNumberBelowTheWindowCountsAsSeenAndAJumpClearsIt() {
        seen.first("a", 10);
        seen.first("a", 10 + SeenLines.WINDOW);
        assertThat(seen.first("a", 10)).isFalse();
        assertThat(seen.first("a", 9)).as("below the window: taken for seen").isFalse();
        assertThat(seen.first("a", 11)).as("the window's oldest, never seen").isTrue();
        long restart = 1_767_225_600_000_000L;
        assertThat(seen.first("a", restart)).as("a restarted origin numbers far above").isTrue();
        assertThat(seen.first("a", restart - 1)).isTrue();
        assertThat(seen.first("a", restart - SeenLines.WINDOW + 1)).as("slot of a number seen before the jump").isTrue();
    }

    @Test
    void theLeastRecentlyHeardOriginIsForgottenPastTheBound() {
        seen.first("first", 5);
        for (int i = 0; i < SeenLines.MAX_ORIGINS; i++) {
            seen.first("o" + i, 5);
        }
        assertThat(seen.first("first", 5)).as("forgotten, so new again").isTrue();
        assertThat(seen.first("o" + (SeenLines.MAX_ORIGINS - 1), 5)).isFalse();
    }
}
