package io.ciphergram.cli.bench;

/**
 * The CPU time the generator (its whole JVM) and the server (its process, when its pid is known: {@code bench
 * --server-pid}) spent in one step's measured window, with the window's wall time: what each side paid per
 * delivery, and whether the generator, not the server, may have been the limit. On a host whose cores the
 * two share, the one that takes the larger share of a saturated machine is what a faster server could not
 * get past. Pure.
 *
 * @param wallNanos the measured window's wall time, 0 if it was not sampled
 * @param generatorNanos the generator's CPU time in the window, -1 if unknown
 * @param serverNanos the server's CPU time in the window, -1 if unknown (no pid, or an in-process plain relay)
 * @param cores the host's cores (100% each)
 */
public record CpuWindow(long wallNanos, long generatorNanos, long serverNanos, int cores) {

    /** The two sides together at this share of every core: the machine is saturated. */
    static final double SATURATED_SHARE = 0.9;

    public static CpuWindow unknown(int cores) {
        return new CpuWindow(0, -1, -1, cores);
    }

    /** The generator's CPU over the window's wall time, 100 per core; -1 if unknown. */
    public double generatorPercent() {
        return percent(generatorNanos);
    }

    /** The server's CPU over the window's wall time, 100 per core; -1 if unknown. */
    public double serverPercent() {
        return percent(serverNanos);
    }

    /** The generator's CPU microseconds per delivery in the window; -1 if unknown. */
    public double generatorMicrosPerDelivery(long delivered) {
        return perDelivery(generatorNanos, delivered);
    }

    /** The server's CPU microseconds per delivery in the window; -1 if unknown. */
    public double serverMicrosPerDelivery(long delivered) {
        return perDelivery(serverNanos, delivered);
    }

    /** Both sides known, the machine saturated, and the generator took at least the server's share. */
    public boolean generatorMayLimit() {
        if (wallNanos <= 0 || generatorNanos < 0 || serverNanos < 0) {
            return false;
        }
        return generatorNanos + serverNanos >= SATURATED_SHARE * cores * wallNanos && generatorNanos >= serverNanos;
    }

    private double percent(long nanos) {
        return nanos < 0 || wallNanos <= 0 ? -1 : 100.0 * nanos / wallNanos;
    }

    private double perDelivery(long nanos, long delivered) {
        return nanos < 0 || wallNanos <= 0 || delivered <= 0 ? -1 : nanos / 1e3 / delivered;
    }
}
