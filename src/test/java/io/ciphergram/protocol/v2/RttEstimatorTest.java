package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RttEstimatorTest {

    private static final long MS = 1_000_000L;

    @Test
    void startsAtTheInitialRtoBeforeAnySample() {
        RttEstimator rtt = new RttEstimator();

        assertThat(rtt.hasSample()).isFalse();
        assertThat(rtt.rtoNanos()).isEqualTo(V2Constants.INITIAL_RTO_NANOS);
    }

    @Test
    void firstSampleSetsSrttAndHalfOfItAsVariance() {
        RttEstimator rtt = new RttEstimator(1000 * MS, 1 * MS, 60_000 * MS, 1 * MS);

        rtt.sample(100 * MS);

        assertThat(rtt.srttNanos()).isEqualTo(100 * MS);
        assertThat(rtt.rttvarNanos()).isEqualTo(50 * MS);
        assertThat(rtt.rtoNanos()).as("SRTT + 4·RTTVAR").isEqualTo(300 * MS);
    }

    @Test
    void laterSamplesAreSmoothedWithAnEighthAndAQuarter() {
        RttEstimator rtt = new RttEstimator(1000 * MS, 1 * MS, 60_000 * MS, 1 * MS);
        rtt.sample(100 * MS);

        rtt.sample(200 * MS);

        // RTTVAR = 3/4·50 + 1/4·|100-200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5
        assertThat(rtt.rttvarNanos()).isEqualTo(62_500_000L);
        assertThat(rtt.srttNanos()).isEqualTo(112_500_000L);
        assertThat(rtt.rtoNanos()).isEqualTo(362_500_000L);
    }

    @Test
    void steadyRoundTripsConvergeTowardsTheRoundTripPlusGranularity() {
        RttEstimator rtt = new RttEstimator(1000 * MS, 1 * MS, 60_000 * MS, 5 * MS);

        for (int i = 0; i < 200; i++) {
            rtt.sample(40 * MS);
        }

        assertThat(rtt.srttNanos()).isBetween(39 * MS, 41 * MS);
        assertThat(rtt.rtoNanos()).as("variance gone: G dominates").isBetween(44 * MS, 46 * MS);
    }

    @Test
    void rtoIsClampedToTheMinimumForFastLinks() {
        RttEstimator rtt = new RttEstimator();

        rtt.sample(2 * MS);

        assertThat(rtt.rtoNanos()).isEqualTo(V2Constants.MIN_RTO_NANOS);
    }

    @Test
    void rtoIsClampedToTheMaximumForVerySlowLinks() {
        RttEstimator rtt = new RttEstimator();

        rtt.sample(100_000 * MS);

        assertThat(rtt.rtoNanos()).isEqualTo(V2Constants.MAX_RTO_NANOS);
    }

    @Test
    void backoffDoublesPerRetransmissionUpToTheMaximum() {
        RttEstimator rtt = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS, 1 * MS);

        assertThat(rtt.backedOffRtoNanos(0)).isEqualTo(1000 * MS);
        assertThat(rtt.backedOffRtoNanos(1)).isEqualTo(2000 * MS);
        assertThat(rtt.backedOffRtoNanos(3)).isEqualTo(8000 * MS);
        assertThat(rtt.backedOffRtoNanos(6)).isEqualTo(60_000 * MS);
        assertThat(rtt.backedOffRtoNanos(200)).as("no overflow").isEqualTo(60_000 * MS);
    }

    @Test
    void aNewSampleEndsTheBackoffForNewTransmissions() {
        RttEstimator rtt = new RttEstimator();
        long backedOff = rtt.backedOffRtoNanos(4);

        rtt.sample(50 * MS);

        assertThat(rtt.rtoNanos()).isLessThan(backedOff).isEqualTo(V2Constants.MIN_RTO_NANOS);
    }
}
