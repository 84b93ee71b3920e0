package io.ciphergram.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.TokenBucket;

class FloodGateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstOfDropsEarnsOneNoticeAndAnAdmissionEndsTheBurst() {
        FloodGate gate = new FloodGate(new TokenBucket(1, 2, 0));
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.DROPPED_NOTICE_DUE);
        assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.DROPPED);
        assertThat(gate.admit(SECOND / 2)).isEqualTo(FloodGate.Verdict.DROPPED);
        assertThat(gate.admit(SECOND)).isEqualTo(FloodGate.Verdict.ADMITTED);
        assertThat(gate.admit(SECOND)).as("a new burst, a new notice").isEqualTo(FloodGate.Verdict.DROPPED_NOTICE_DUE);
    }

    @Test
    void aZeroRateAdmitsEverything() {
        FloodGate gate = new FloodGate(new TokenBucket(0, 1, 0));
        for (int i = 0; i < 1000; i++) {
            assertThat(gate.admit(0)).isEqualTo(FloodGate.Verdict.ADMITTED);
        }
    }
}
