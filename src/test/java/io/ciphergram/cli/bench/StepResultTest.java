package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StepResultTest {

    /** A step of 10 clients at 1,000/s offered for 5 s, with the given counts. */
    static StepResult step(int number, double offered, long sent, long delivered, long socketDrops) {
        return new StepResult(number, offered, 1, 5, 10, sent, delivered, 0, 0, 0, 0, 0.5, Latency.NONE, socketDrops, 0,
                20, 30, 60, CpuWindow.unknown(2));
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
        StepResult s = new StepResult(1, 100, 1, 5, 4, 500, 1_500, 3, 2, 0, 7, 0, Latency.NONE, 0, 0, 95, 91, 190,
                CpuWindow.unknown(2));
        assertThat(s.warnings()).hasSize(5)
                .anyMatch(w -> w.contains("sender thread was busy 95%"))
                .anyMatch(w -> w.contains("receive thread was busy 91%"))
                .anyMatch(w -> w.startsWith("3 deliveries were duplicates"))
                .anyMatch(w -> w.startsWith("2 deliveries went to their own sender"))
                .anyMatch(w -> w.startsWith("7 datagrams could not be sent"));
    }

    @Test
    void aGeneratorTakingTheLargerShareOfASaturatedMachineIsNamedAsTheLimit() {
        long second = 1_000_000_000L;
        StepResult generatorHeavy = withCpu(new CpuWindow(second, 1_100_000_000L, 750_000_000L, 2));
        assertThat(generatorHeavy.warnings()).anyMatch(w -> w.startsWith("the generator took at least the server's"
                + " share of a saturated machine (generator 110%, server 75% of 2 cores)"));
        assertThat(ReportFormat.cpuLine(generatorHeavy)).isEqualTo("step 1: CPU in the measured window: generator 110%"
                + " (24.44 us per delivery), server 75% (16.67 us per delivery); LIMIT: the generator\n");

        StepResult serverHeavy = withCpu(new CpuWindow(second, 800_000_000L, 1_000_000_000L, 2));
        StepResult idleMachine = withCpu(new CpuWindow(second, 700_000_000L, 500_000_000L, 2));
        StepResult noServerPid = withCpu(new CpuWindow(second, 1_900_000_000L, -1, 2));
        for (StepResult s : new StepResult[] {serverHeavy, idleMachine, noServerPid}) {
            assertThat(s.cpu().generatorMayLimit()).as(s.cpu().toString()).isFalse();
            assertThat(s.warnings()).noneMatch(w -> w.contains("the generator took"));
        }
        assertThat(ReportFormat.cpuLine(noServerPid)).isEqualTo("step 1: CPU in the measured window: generator 190%"
                + " (42.22 us per delivery), server unknown (unknown per delivery)\n");
    }

    /** 5,000 sent, 45,000 delivered, nothing else amiss, with the given window. */
    private static StepResult withCpu(CpuWindow cpu) {
        return new StepResult(1, 1_000, 1, 5, 10, 5_000, 45_000, 0, 0, 0, 0, 0.5, Latency.NONE, 0, 0, 20, 30, 60, cpu);
    }

    @Test
    void aStepThatSentNothingSaysSo() {
        assertThat(step(1, 1_000, 0, 0, 0).warnings()).contains("nothing was sent in the measured window");
    }
}
