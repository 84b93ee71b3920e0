package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StepResultTest {

    /** A step of 10 clients at 1,000/s offered for 5 s, with the given counts. */
    static StepResult step(int number, double offered, long sent, long delivered, long socketDrops) {
        return new StepResult(number, offered, 1, 5, 10, sent, delivered, 0, 0, 0, 0, 0.5, Latency.NONE, socketDrops, 0,
                20, 30, 60);
    }

    @Test
    void everyMessageSentInTheWindowIsExpectedOnceAtEveryOtherClient() {
        assertThat(StepResult.expected(5_000, 10)).isEqualTo(45_000);
        assertThat(StepResult.expected(5_000, 2)).isEqualTo(5_000);
        assertThat(step(1, 1_000, 5_000, 45_000, 0).expected()).isEqualTo(45_000);
    }

    @Test
    void lossIsTheShareOfExpectedDeliveriesThatDidNotArrive() {
        assertThat(StepResult.lossPercent(45_000, 45_000)).isZero();
        assertThat(StepResult.lossPercent(45_000, 44_550)).isCloseTo(1.0, within(1e-9));
        assertThat(StepResult.lossPercent(1_000, 0)).isEqualTo(100);
        assertThat(StepResult.lossPercent(0, 0)).isZero(); // nothing expected: nothing lost
    }

    @Test
    void ratesArePerSecondOfTheMeasuredWindow() {
        StepResult s = step(1, 1_000, 5_000, 44_550, 0);
        assertThat(s.achievedRate()).isEqualTo(1_000);
        assertThat(s.deliveredPerSecond()).isEqualTo(8_910);
        assertThat(s.lossPercent()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void aSenderBelow95PercentOfTheOfferedRateMarksTheStepAsTheGeneratorsLimit() {
        StepResult kept = step(1, 1_000, 4_760, 42_840, 0); // 95.2%
        StepResult behind = step(2, 1_000, 4_700, 42_300, 0);
        assertThat(kept.generatorLimited()).isFalse();
        assertThat(kept.warnings()).isEmpty();
        assertThat(behind.generatorLimited()).isTrue();
        assertThat(behind.warnings()).singleElement().asString().startsWith("GENERATOR COULD NOT KEEP UP: sent 940/s"
                + " of the 1000/s offered");
    }

    @Test
    void datagramsTheKernelDroppedAtTheGeneratorsSocketsMarkItsReceiveLoopAsBehind() {
        StepResult dropped = step(1, 1_000, 5_000, 44_000, 1_000);
        assertThat(dropped.generatorLimited()).isTrue();
        assertThat(dropped.warnings()).anyMatch(w -> w.startsWith("GENERATOR RECEIVE LOOP FELL BEHIND") && w.contains("1000"));
        assertThat(step(1, 1_000, 5_000, 45_000, -1).generatorLimited()).as("unknown drops").isFalse();
    }

    @Test
    void busyThreadsDuplicatesAndMisroutedDeliveriesAreWarnedOf() {
        StepResult s = new StepResult(1, 100, 1, 5, 4, 500, 1_500, 3, 2, 0, 7, 0, Latency.NONE, 0, 0, 95, 91, 190);
        assertThat(s.warnings()).hasSize(5)
                .anyMatch(w -> w.contains("sender thread was busy 95%"))
                .anyMatch(w -> w.contains("receive thread was busy 91%"))
                .anyMatch(w -> w.startsWith("3 deliveries were duplicates"))
                .anyMatch(w -> w.startsWith("2 deliveries went to their own sender"))
                .anyMatch(w -> w.startsWith("7 datagrams could not be sent"));
    }

    @Test
    void aStepThatSentNothingSaysSo() {
        assertThat(step(1, 1_000, 0, 0, 0).warnings()).contains("nothing was sent in the measured window");
    }
}
