package io.ciphergram.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.Source;

class FrameRatesTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private final long t0 = 1_000 * SECOND;

    private static Source source(String address) throws Exception {
        return Source.of(InetAddress.getByName(address));
    }

    private static int admitted(FrameRates rates, FrameRates.Meter meter, long now, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            n += rates.admit(meter, now) ? 1 : 0;
        }
        return n;
    }

    @Test
    void aConnectionGetsAFifthOfASecondOfBurstThenItsRate() throws Exception {
        FrameRates rates = new FrameRates(1000, 0);
        FrameRates.Meter meter = rates.open(source("192.0.2.1"), t0);
        assertThat(admitted(rates, meter, t0, 1000)).isEqualTo(200);
        assertThat(rates.nanosUntilAdmitted(meter, t0)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(admitted(rates, meter, t0 + SECOND / 10, 1000)).isEqualTo(100);
    }

    @Test
    void connectionsFromOneSourceShareItsRateAndOtherSourcesDoNot() throws Exception {
        FrameRates rates = new FrameRates(1000, 1000);
        FrameRates.Meter a = rates.open(source("192.0.2.1"), t0);
        FrameRates.Meter b = rates.open(source("192.0.2.1"), t0);
        FrameRates.Meter c = rates.open(source("192.0.2.2"), t0);
        assertThat(admitted(rates, a, t0, 150)).isEqualTo(150);
        assertThat(admitted(rates, b, t0, 150)).as("what a left of the source's burst").isEqualTo(50);
        assertThat(rates.nanosUntilAdmitted(b, t0)).isPositive();
        assertThat(admitted(rates, c, t0, 150)).as("another source").isEqualTo(150);
    }

    @Test
    void aSourceIsForgottenWithItsLastConnection() throws Exception {
        FrameRates rates = new FrameRates(1000, 1000);
        FrameRates.Meter a = rates.open(source("2001:db8::1"), t0);
        FrameRates.Meter b = rates.open(source("2001:db8::2"), t0); // the same /64
        assertThat(rates.sources()).isEqualTo(1);
        rates.close(a);
        assertThat(rates.sources()).isEqualTo(1);
        rates.close(b);
        assertThat(rates.sources()).isZero();
    }

    @Test
    void zeroMeansNoLimit() throws Exception {
        FrameRates rates = new FrameRates(0, 0);
        FrameRates.Meter meter = rates.open(source("192.0.2.1"), t0);
        assertThat(admitted(rates, meter, t0, 100_000)).isEqualTo(100_000);
    }
}
