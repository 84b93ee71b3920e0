package io.ciphergram.cli.bench;

import static io.ciphergram.cli.bench.StepResultTest.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CapacitySearchTest {

    private static final double NO_BOUND = Double.POSITIVE_INFINITY;

    /** A step at {@code offered}/s for 5 s, 10 clients, that kept up and lost {@code lossPercent}. */
    private static StepResult stepLosing(int number, double offered, double lossPercent) {
        long sent = Math.round(offered * 5);
        long expected = sent * 9;
        return step(number, offered, sent, Math.round(expected * (1 - lossPercent / 100)), 0);
    }

    @Test
    void theRateRisesByTheFactorUntilAStepLosesMoreThanTheBound() {
        CapacitySearch search = new CapacitySearch(1_000, 1.25, 1.0, NO_BOUND, 20);
        assertThat(search.nextRate()).isEqualTo(1_000);
        search.record(stepLosing(1, 1_000, 0));
        assertThat(search.nextRate()).isEqualTo(1_250);
        search.record(stepLosing(2, 1_250, 0.5));
        assertThat(search.nextRate()).isCloseTo(1_562.5, within(1e-9));
        search.record(stepLosing(3, 1_562.5, 4));
        assertThat(search.done()).isTrue();
        assertThat(search.stopReason()).startsWith("step 3 lost 4.00%");
        // the best step within 1% is the second: it delivered the most of those that stayed within the bound
        assertThat(search.best()).hasValueSatisfying(best -> assertThat(best.step()).isEqualTo(2));
        assertThat(search.steps()).hasSize(3);
    }

    @Test
    void aStepLimitedByTheGeneratorEndsTheSearchSinceHigherRatesWouldMeasureTheGenerator() {
        CapacitySearch search = new CapacitySearch(1_000, 2, 1.0, NO_BOUND, 20);
        search.record(stepLosing(1, 1_000, 0));
        search.record(step(2, 2_000, 6_000, 54_000, 0)); // sent 1,200/s of 2,000/s offered
        assertThat(search.done()).isTrue();
        assertThat(search.stopReason()).contains("limited by the generator");
        assertThat(search.best()).hasValueSatisfying(best -> assertThat(best.step()).isEqualTo(2));
    }

    @Test
    void theSearchEndsAfterItsLastStepAndNoStepWithinTheBoundMeansNoCapacity() {
        CapacitySearch search = new CapacitySearch(1_000, 1.5, 1.0, NO_BOUND, 2);
        search.record(stepLosing(1, 1_000, 0.1));
        search.record(stepLosing(2, 1_500, 0.2));
        assertThat(search.done()).isTrue();
        assertThat(search.stopReason()).isEqualTo("the last of 2 steps ran");

        CapacitySearch overloaded = new CapacitySearch(1_000, 1.5, 1.0, NO_BOUND, 5);
        overloaded.record(stepLosing(1, 1_000, 30));
        assertThat(overloaded.done()).isTrue();
        assertThat(overloaded.best()).isEmpty();
    }

    @Test
    void withALatencyBoundAStepThatKeptEverythingButDeliveredItLateDoesNotCount() {
        CapacitySearch search = new CapacitySearch(1_000, 2, 1.0, 100, 20);
        search.record(withP99(stepLosing(1, 1_000, 0), 2_000));
        search.record(withP99(stepLosing(2, 2_000, 0), 250_000)); // no loss: its buffers held it, 250 ms late
        assertThat(search.done()).isTrue();
        assertThat(search.stopReason()).isEqualTo("step 2 had a p99 of 250.0 ms (> 100 ms)");
        assertThat(search.best()).hasValueSatisfying(best -> assertThat(best.step()).isEqualTo(1));

        CapacitySearch lossOnly = new CapacitySearch(1_000, 2, 1.0, NO_BOUND, 2);
        lossOnly.record(withP99(stepLosing(1, 1_000, 0), 2_000));
        lossOnly.record(withP99(stepLosing(2, 2_000, 0), 250_000));
        assertThat(lossOnly.best()).hasValueSatisfying(best -> assertThat(best.step()).isEqualTo(2));
    }

    private static StepResult withP99(StepResult s, double p99Micros) {
        return new StepResult(s.step(), s.offeredRate(), s.warmupSeconds(), s.durationSeconds(), s.clients(), s.sent(),
                s.delivered(), s.duplicates(), s.misrouted(), s.backpressured(), s.sendFailures(), s.maxSendLagMillis(),
                new Latency(s.delivered(), p99Micros / 10, p99Micros, p99Micros, p99Micros, p99Micros / 5),
                s.generatorSocketDrops(), s.serverSocketDrops(), s.senderCpuPercent(), s.receiverCpuPercent(),
                s.processCpuPercent(), s.cpu());
    }
}
