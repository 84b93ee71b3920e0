package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.PrekeyRotation.Held;
import io.ciphergram.crypto.PrekeyRotation.Plan;

/** A new prekey every 7 days; a replaced one's private half is kept 14 days from its replacement, then deleted. */
class PrekeyRotationTest {

    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void withNoPrekeyOneIsDueAtOnce() {
        assertThat(PrekeyRotation.plan(List.of(), T0)).isEqualTo(new Plan(true, List.of()));
    }

    @Test
    void aPrekeyIsReplacedAfterSevenDaysNotBefore() {
        List<Held> held = List.of(new Held(1, T0));
        assertThat(PrekeyRotation.plan(held, T0 + 7 * DAY - 1).newPrekeyDue()).isFalse();
        assertThat(PrekeyRotation.plan(held, T0 + 7 * DAY).newPrekeyDue()).isTrue();
        assertThat(PrekeyRotation.plan(held, T0 + 100 * DAY).delete()).as("the current prekey is never deleted").isEmpty();
    }

    @Test
    void aReplacedPrekeyIsKeptFourteenDaysFromItsReplacementThenDeleted() {
        List<Held> held = List.of(new Held(1, T0), new Held(2, T0 + 7 * DAY));
        assertThat(PrekeyRotation.plan(held, T0 + 8 * DAY)).isEqualTo(new Plan(false, List.of()));
        assertThat(PrekeyRotation.plan(held, T0 + 21 * DAY - 1)).isEqualTo(new Plan(true, List.of()));
        assertThat(PrekeyRotation.plan(held, T0 + 21 * DAY)).isEqualTo(new Plan(true, List.of(1)));
    }

    @Test
    void aClientAwayForAMonthDeletesEverythingButTheNewestAndMakesANewOne() {
        List<Held> held = List.of(new Held(3, T0 + 14 * DAY), new Held(1, T0), new Held(2, T0 + 7 * DAY));
        Plan plan = PrekeyRotation.plan(held, T0 + 45 * DAY);
        assertThat(plan.newPrekeyDue()).isTrue();
        assertThat(plan.delete()).containsExactly(1, 2);
        assertThat(PrekeyRotation.current(held)).isEqualTo(new Held(3, T0 + 14 * DAY));
    }

    @Test
    void aClockThatWentBackMakesNothingDueAndDeletesNothing() {
        List<Held> held = List.of(new Held(1, T0), new Held(2, T0 + 7 * DAY));
        assertThat(PrekeyRotation.plan(held, T0 - 365 * DAY)).isEqualTo(new Plan(false, List.of()));
    }

    @Test
    void theCurrentPrekeyIsTheNewestAndAmongEqualTimesTheHighestId() {
        assertThat(PrekeyRotation.current(List.of(new Held(5, T0), new Held(7, T0), new Held(6, T0))).id()).isEqualTo(7);
        assertThat(PrekeyRotation.current(List.of(new Held(-1, T0), new Held(7, T0))).id())
                .as("ids are u32: 0xFFFFFFFF is the highest").isEqualTo(-1);
        assertThatThrownBy(() -> PrekeyRotation.current(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
