package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    private static final int WINDOW = V2Constants.REPLAY_WINDOW_SIZE;

    private final ReplayWindow window = new ReplayWindow();

    /** What a receiver does: check, (authenticate), mark. */
    private boolean receive(long seq) {
        return window.wouldAccept(seq) && window.markSeen(seq);
    }

    @Test
    void aRecordArrivingTheWindowBehindTheHighestIsStillAcceptedAndOneFurtherIsNot() {
        assertThat(receive(5_000)).isTrue();
        assertThat(receive(5_000 - 1024)).as("the profile needs at least 1024 of reordering").isTrue();
        assertThat(receive(5_000 - WINDOW)).as("the oldest the window guarantees").isTrue();
        assertThat(receive(5_000 - WINDOW - 1)).as("just outside the window").isFalse();
    }

    @Test
    void acceptsSequenceZeroOnceThenRejectsIt() {
        assertThat(receive(0)).isTrue();
        assertThat(receive(0)).isFalse();
    }

    @Test
    void acceptsInOrderSequenceNumbers() {
        for (long seq = 0; seq < 5000; seq++) {
            assertThat(receive(seq)).as("seq %d", seq).isTrue();
        }
        assertThat(window.highestSeen()).isEqualTo(4999);
    }

    @Test
    void acceptsOutOfOrderArrivalsWithinTheWindowOnce() {
        assertThat(receive(1000)).isTrue();
        assertThat(receive(999)).isTrue();
        assertThat(receive(10)).isTrue();
        assertThat(receive(500)).isTrue();

        assertThat(receive(999)).isFalse();
        assertThat(receive(10)).isFalse();
        assertThat(receive(500)).isFalse();
        assertThat(receive(1000)).isFalse();
    }

    @Test
    void rejectsDuplicates() {
        receive(7);

        assertThat(window.wouldAccept(7)).isFalse();
        assertThat(window.markSeen(7)).isFalse();
    }

    @Test
    void rejectsNumbersThatFellBehindTheWindow() {
        receive(5000);

        assertThat(window.wouldAccept(5000 - WINDOW)).isTrue();
        assertThat(window.wouldAccept(5000 - WINDOW - 1)).isFalse();
        assertThat(window.markSeen(5000 - WINDOW - 1)).isFalse();
        assertThat(receive(0)).isFalse();
    }

    @Test
    void aLargeJumpForgetsEverythingBehindTheNewWindowButKeepsWorking() {
        for (long seq = 0; seq < 100; seq++) {
            receive(seq);
        }

        assertThat(receive(1_000_000)).isTrue();

        assertThat(receive(50)).isFalse();
        assertThat(receive(1_000_000 - 1)).isTrue();
        assertThat(receive(1_000_000 - WINDOW)).isTrue();
        assertThat(receive(1_000_000 - 1)).isFalse();
        assertThat(receive(1_000_001)).isTrue();
    }

    @Test
    void aJumpOfLessThanTheRingClearsOnlyTheRecycledWords() {
        receive(100);
        receive(90);

        receive(100 + 1000); // 90 and 100 are still inside the window

        assertThat(receive(90)).isFalse();
        assertThat(receive(100)).isFalse();
        assertThat(receive(95)).isTrue();
    }

    @Test
    void wouldAcceptChangesNothing() {
        assertThat(window.wouldAccept(10)).isTrue();
        assertThat(window.wouldAccept(10)).isTrue();
        assertThat(window.highestSeen()).isZero();

        assertThat(window.markSeen(10)).isTrue();
    }

    @Test
    void aDuplicateThatRacedThroughDecryptionIsCaughtByMarkSeen() {
        // Two copies pass the cheap check before either authenticates.
        assertThat(window.wouldAccept(42)).isTrue();
        assertThat(window.wouldAccept(42)).isTrue();

        assertThat(window.markSeen(42)).isTrue();
        assertThat(window.markSeen(42)).isFalse();
    }

    @Test
    void rejectsNegativeAndPastTheRejectLimit() {
        assertThat(window.wouldAccept(-1)).isFalse();
        assertThat(window.markSeen(-1)).isFalse();
        assertThat(window.wouldAccept(Long.MIN_VALUE)).isFalse();
        assertThat(window.wouldAccept(V2Constants.REJECT_AFTER_MESSAGES)).isFalse();
        assertThat(window.markSeen(Long.MAX_VALUE)).isFalse();
        assertThat(window.highestSeen()).isZero();
        assertThat(receive(V2Constants.REJECT_AFTER_MESSAGES - 1)).isTrue();
    }

    @Test
    void agreesWithASetOfSeenNumbersOverRandomTraffic() {
        Random random = new Random(6479);
        for (int run = 0; run < 20; run++) {
            ReplayWindow subject = new ReplayWindow();
            Set<Long> seen = new HashSet<>();
            long highest = 0;
            for (int step = 0; step < 20_000; step++) {
                long seq = nextSeq(random, highest);
                boolean expected = seq >= 0 && seq < V2Constants.REJECT_AFTER_MESSAGES
                        && !seen.contains(seq) && (seq > highest || highest - seq <= WINDOW);

                assertThat(subject.wouldAccept(seq)).as("run %d step %d wouldAccept(%d)", run, step, seq)
                        .isEqualTo(expected);
                // Half the time the datagram fails authentication and is never marked.
                if (random.nextBoolean()) {
                    assertThat(subject.markSeen(seq)).as("run %d step %d markSeen(%d)", run, step, seq)
                            .isEqualTo(expected);
                    if (expected) {
                        seen.add(seq);
                        highest = Math.max(highest, seq);
                    }
                }
            }
        }
    }

    private static long nextSeq(Random random, long highest) {
        return switch (random.nextInt(10)) {
            case 0 -> highest + 1 + random.nextInt(4 * WINDOW); // jump ahead, sometimes past the whole ring
            case 1 -> highest - WINDOW - 1 + random.nextInt(3); // right at the window's edge
            case 2 -> highest;                                    // replay of the newest
            case 3 -> random.nextInt(8) - 4;                      // around zero, negatives included
            default -> highest - random.nextInt(WINDOW + 200) + 64; // reordering around the window
        };
    }
}
