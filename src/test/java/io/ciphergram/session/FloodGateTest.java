package io.ciphergram.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.TokenBucket;

class FloodGateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void dropsEarnANoticeAtMostEveryFiveSeconds() {
        FloodGate gate = new FloodGate(new TokenBucket(1, 2, 0));
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.DROPPED_NOTICE_DUE);
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.DROPPED);
        assertThat(gate.admit(SECOND)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.admit(SECOND)).as("a new burst within 5 s: no new notice").isEqualTo(FloodGate.Verdict.DROPPED);
        assertThat(gate.admit(5 * SECOND)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.admit(5 * SECOND)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.admit(5 * SECOND)).isEqualTo(FloodGate.Verdict.DROPPED_NOTICE_DUE);
    }

    @Test
    void failuresArePaidFromABudgetOfTheirOwn() {
        FloodGate gate = new FloodGate(new TokenBucket(1, 1, 0));
        for (int i = 0; i < 2 * FloodGate.FAILURES_PER_SECOND; i++) {
            assertThat(gate.mayTry(0)).isTrue();
            gate.failed(0);
        }
        assertThat(gate.mayTry(0)).as("spent").isFalse();
        assertThat(gate.hasRoom(0)).as("the flood budget is untouched").isTrue();
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.mayTry(SECOND / 10)).as("a tenth of a second brings ten tries back").isTrue();
    }

    @Test
    void aZeroRateAdmitsEverything() {
        FloodGate gate = new FloodGate(TokenBucket.NO_LIMIT);
        for (int i = 0; i < 1000; i++) {
            assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        }
    }
}
