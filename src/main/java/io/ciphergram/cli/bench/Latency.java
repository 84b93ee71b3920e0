package io.ciphergram.cli.bench;

import org.HdrHistogram.Histogram;

/** Delivery latency of a step's measured messages, in microseconds: send (by the sender's clock) to decryption. */
public record Latency(long count, double p50Micros, double p99Micros, double p999Micros, double maxMicros,
        double meanMicros) {

    /** The longest latency a histogram tracks; longer ones are recorded as this. */
    public static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;

    public static final Latency NONE = new Latency(0, 0, 0, 0, 0, 0);

    /** A histogram of nanoseconds with three significant digits, as every receive lane keeps one. */
    public static Histogram newHistogram() {
        return new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
    }

    public static Latency of(Histogram nanos) {
        if (nanos.getTotalCount() == 0) {
            return NONE;
        }
        return new Latency(nanos.getTotalCount(), micros(nanos.getValueAtPercentile(50)),
                micros(nanos.getValueAtPercentile(99)), micros(nanos.getValueAtPercentile(99.9)),
                micros(nanos.getMaxValue()), nanos.getMean() / 1_000);
    }

    private static double micros(long nanos) {
        return nanos / 1_000.0;
    }
}
