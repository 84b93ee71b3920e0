package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacingScheduleTest {

    private static final long START = 5_000_000_000L;

    @Test
    void deadlinesFollowTheRateWithoutDriftHoweverLongItRuns() {
        PacingSchedule schedule = new PacingSchedule(START, 3_000);
        assertThat(schedule.deadline(0)).isEqualTo(START);
        assertThat(schedule.deadline(3)).isEqualTo(START + 1_000_000);
        // an hour at 3,000/s: summing rounded intervals of 333,333 ns would be 3.6 ms early by now
        assertThat(schedule.deadline(3_000L * 3_600)).isEqualTo(START + 3_600_000_000_000L);
    }

    @Test
    void theMessagesDueAreThoseWhoseDeadlineHasCome() {
        PacingSchedule schedule = new PacingSchedule(START, 1_000); // one a millisecond
        assertThat(schedule.dueBy(START - 1)).isZero();
        assertThat(schedule.dueBy(START)).isEqualTo(1);
        assertThat(schedule.dueBy(START + 999_999)).isEqualTo(1);
        assertThat(schedule.dueBy(START + 1_000_000)).isEqualTo(2);
        assertThat(schedule.dueBy(START + 2_000_000_000L)).isEqualTo(2_001);
    }

    @Test
    void countBeforeSplitsWarmupFromTheMeasuredWindowExactly() {
        PacingSchedule schedule = new PacingSchedule(START, 8); // one every 125 ms
        long measureStart = START + 500_000_000L;
        long end = measureStart + 2_000_000_000L;
        assertThat(schedule.countBefore(START)).isZero();
        assertThat(schedule.countBefore(measureStart)).isEqualTo(4); // 0, 125, 250, 375 ms are warmup
        assertThat(schedule.countBefore(end) - schedule.countBefore(measureStart)).isEqualTo(16);
    }

    @Test
    void lagIsHowLongTheFirstUnsentMessageHasBeenDue() {
        PacingSchedule schedule = new PacingSchedule(START, 1_000);
        assertThat(schedule.lagNanos(10, START + 5_000_000)).isZero(); // ahead of schedule
        assertThat(schedule.lagNanos(10, START + 13_000_000)).isEqualTo(3_000_000);
    }

    @Test
    void fractionalRatesAreKept() {
        PacingSchedule schedule = new PacingSchedule(0, 0.5);
        assertThat(schedule.deadline(1)).isEqualTo(2_000_000_000L);
        assertThat(schedule.dueBy(1_999_999_999L)).isEqualTo(1);
    }

    @Test
    void aRateMustBePositiveAndFinite() {
        assertThatThrownBy(() -> new PacingSchedule(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingSchedule(0, -5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingSchedule(0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PacingSchedule(0, Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }
}
