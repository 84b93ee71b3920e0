package io.ciphergram.protocol.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.e2e.ReplayCache.Verdict;

/** The recipient's replay cache: an id once, bounded by age and by count, never fooled by a clock in the future. */
class ReplayCacheTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final long HOUR = Duration.ofHours(1).toMillis();

    private static byte[] id(int n) {
        return ByteBuffer.allocate(16).putInt(12, n).array();
    }

    @Test
    void anIdIsFreshOnceAndThenReplayed() {
        ReplayCache cache = ReplayCache.withDefaults();
        assertThat(cache.check(id(1), NOW, NOW)).isEqualTo(Verdict.FRESH);
        assertThat(cache.check(id(1), NOW, NOW)).as("check alone remembers nothing").isEqualTo(Verdict.FRESH);
        assertThat(cache.record(id(1), NOW, NOW)).isEqualTo(Verdict.FRESH);
        assertThat(cache.record(id(1), NOW, NOW + 1)).isEqualTo(Verdict.REPLAYED);
        assertThat(cache.check(id(1), NOW - 5, NOW + 1)).as("the id is the key, whatever time it claims").isEqualTo(Verdict.REPLAYED);
        assertThat(cache.record(id(2), NOW, NOW)).isEqualTo(Verdict.FRESH);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void envelopesOlderThanTheAgeBoundAreRefusedAndTheirIdsForgotten() {
        ReplayCache cache = new ReplayCache(100, Duration.ofDays(8), Duration.ofHours(1));
        long day = Duration.ofDays(1).toMillis();
        assertThat(cache.record(id(1), NOW - 7 * day, NOW)).as("a week in the relay's mailbox").isEqualTo(Verdict.FRESH);
        assertThat(cache.check(id(2), NOW - 8 * day - 1, NOW)).isEqualTo(Verdict.TOO_OLD);
        cache.record(id(3), NOW + 2 * day, NOW + 2 * day);
        assertThat(cache.size()).as("id 1 is now past the age bound and is forgotten").isEqualTo(1);
        assertThat(cache.check(id(1), NOW - 7 * day, NOW + 2 * day)).as("but its envelope is refused by age")
                .isEqualTo(Verdict.TOO_OLD);
    }

    @Test
    void pastTheCountTheOldestIsForgottenAndNothingAsOldIsAcceptedAgain() {
        ReplayCache cache = new ReplayCache(3, Duration.ofDays(8), Duration.ofHours(1));
        for (int i = 1; i <= 4; i++) {
            assertThat(cache.record(id(i), NOW + i, NOW + 10)).isEqualTo(Verdict.FRESH);
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.floorMillis()).isEqualTo(NOW + 1);
        assertThat(cache.record(id(1), NOW + 1, NOW + 10)).as("the forgotten id replayed").isEqualTo(Verdict.TOO_OLD);
        assertThat(cache.record(id(9), NOW, NOW + 10)).as("anything as old").isEqualTo(Verdict.TOO_OLD);
        assertThat(cache.record(id(2), NOW + 2, NOW + 10)).isEqualTo(Verdict.REPLAYED);
        assertThat(cache.record(id(5), NOW + 5, NOW + 10)).isEqualTo(Verdict.FRESH);
    }

    @Test
    void aTimeFarInTheFutureIsRefusedSoItCannotRaiseTheFloorForEveryone() {
        ReplayCache cache = new ReplayCache(1, Duration.ofDays(8), Duration.ofHours(1));
        assertThat(cache.record(id(1), NOW + HOUR + 1, NOW)).isEqualTo(Verdict.FROM_THE_FUTURE);
        assertThat(cache.record(id(1), NOW + HOUR, NOW)).as("within the skew").isEqualTo(Verdict.FRESH);
        assertThat(cache.record(id(2), NOW + 1, NOW + 1)).as("fresh, and at once the oldest, so forgotten").isEqualTo(Verdict.FRESH);
        assertThat(cache.record(id(2), NOW + 1, NOW + 2)).as("its replay is refused by the floor").isEqualTo(Verdict.TOO_OLD);
        assertThat(cache.floorMillis()).as("the floor never passes now + skew").isLessThanOrEqualTo(NOW + HOUR);
    }

    @Test
    void whatIsSavedRestoresTheSameVerdicts() {
        ReplayCache cache = new ReplayCache(2, Duration.ofDays(8), Duration.ofHours(1));
        cache.record(id(1), NOW, NOW);
        cache.record(id(2), NOW + 1, NOW);
        cache.record(id(3), NOW + 2, NOW);

        ReplayCache restored = new ReplayCache(2, Duration.ofDays(8), Duration.ofHours(1));
        restored.restore(cache.floorMillis(), cache.entries(), NOW + 5);

        assertThat(restored.entries()).extracting(ReplayCache.Seen::timeMillis).containsExactly(NOW + 1, NOW + 2);
        assertThat(restored.check(id(1), NOW, NOW + 5)).isEqualTo(Verdict.TOO_OLD);
        assertThat(restored.check(id(2), NOW + 1, NOW + 5)).isEqualTo(Verdict.REPLAYED);
        assertThat(restored.check(id(3), NOW + 2, NOW + 5)).isEqualTo(Verdict.REPLAYED);
        assertThat(restored.check(id(4), NOW + 3, NOW + 5)).isEqualTo(Verdict.FRESH);
    }
}
