package io.ciphergram.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one step of a run measured (the raw counts) and what follows from them: loss, rates, and whether
 * the generator itself was the limit. A step is a warmup at the offered rate, whose deliveries are not
 * counted, then the measured window of {@code durationSeconds}, then a drain in which messages sent in the
 * window may still arrive. Pure.
 *
 * @param sent messages sent in the measured window (each goes to every client but its sender)
 * @param delivered deliveries of those messages, each (message, recipient) counted once, decrypted and parsed
 * @param duplicates deliveries of a (message, recipient) already counted
 * @param misrouted deliveries to the message's own sender, or whose sender field does not match its number
 * @param backpressured messages not sent because the client's v2 send queue was full (the server
 *        acknowledged too slowly): the protocol's back-pressure, not counted as sent
 * @param sendFailures datagrams the generator's sockets would not take (a full socket send buffer)
 * @param maxSendLagMillis how far the sender fell behind its schedule at worst
 * @param generatorSocketDrops datagrams the kernel dropped at the generator's sockets because its receive
 *        loop did not read them in time (Linux /proc/net/udp; -1 where unknown)
 * @param serverSocketDrops the same at the server's (or the plain relay's) socket, if it is on this host; -1 if unknown
 * @param senderCpuPercent CPU time of the sender thread over the step's wall time
 * @param receiverCpuPercent the busiest receive thread's CPU time over the step's wall time
 * @param processCpuPercent the generator's whole JVM (JIT, GC, an in-process plain relay included) over the
 *        step's wall time: 100 is one core, the share of the machine the server did not get
 * @param cpu the generator's and the server's CPU time in the measured window alone, for the cost per delivery
 */
public record StepResult(int step, double offeredRate, double warmupSeconds, double durationSeconds, int clients,
        long sent, long delivered, long duplicates, long misrouted, long backpressured, long sendFailures,
        double maxSendLagMillis, Latency latency, long generatorSocketDrops, long serverSocketDrops,
        double senderCpuPercent, double receiverCpuPercent, double processCpuPercent, CpuWindow cpu) {

    /** Below this share of the offered rate the sender did not keep up. */
    public static final double KEPT_UP_SHARE = 0.95;
    /** A generator thread this busy may be what limits the run. */
    public static final double BUSY_CPU_PERCENT = 90;

    /** Every message sent in the window, once to each other client. */
    public static long expected(long sent, int clients) {
        return sent * Math.max(0, clients - 1);
    }

    /** 100·(1 − delivered/expected); 0 when nothing was expected. */
    public static double lossPercent(long expected, long delivered) {
        return expected == 0 ? 0 : 100.0 * (1.0 - (double) delivered / expected);
    }

    public long expected() {
        return expected(sent, clients);
    }

    public double lossPercent() {
        return lossPercent(expected(), delivered);
    }

    public double achievedRate() {
        return durationSeconds > 0 ? sent / durationSeconds : 0;
    }

    public double deliveredPerSecond() {
        return durationSeconds > 0 ? delivered / durationSeconds : 0;
    }

    /** The sender did not keep up with the offered rate, or the receive loop fell behind: the figures are the generator's. */
    public boolean generatorLimited() {
        return achievedRate() < KEPT_UP_SHARE * offeredRate || generatorSocketDrops > 0;
    }

    /** What a reader must know before trusting the figures; empty when nothing is amiss. */
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        if (achievedRate() < KEPT_UP_SHARE * offeredRate) {
            warnings.add(String.format(Locale.ROOT,
                    "GENERATOR COULD NOT KEEP UP: sent %.0f/s of the %.0f/s offered (%.1f%%)%s",
                    achievedRate(), offeredRate, 100 * achievedRate() / offeredRate,
                    backpressured > 0 ? "; " + backpressured + " messages were held back by full v2 send queues"
                            + " (the server acknowledged too slowly)" : ""));
        }
        if (generatorSocketDrops > 0) {
            warnings.add("GENERATOR RECEIVE LOOP FELL BEHIND: the kernel dropped " + generatorSocketDrops
                    + " datagrams at the generator's own sockets; that loss is the generator's, not the server's");
        }
        if (sendFailures > 0) {
            warnings.add(sendFailures + " datagrams could not be sent (a full socket send buffer)");
        }
        if (senderCpuPercent >= BUSY_CPU_PERCENT) {
            warnings.add(String.format(Locale.ROOT, "the sender thread was busy %.0f%% of the time:"
                    + " it is near its limit", senderCpuPercent));
        }
        if (receiverCpuPercent >= BUSY_CPU_PERCENT) {
            warnings.add(String.format(Locale.ROOT, "a receive thread was busy %.0f%% of the time:"
                    + " it is near its limit (try --receive-threads)", receiverCpuPercent));
        }
        if (cpu.generatorMayLimit()) {
            warnings.add(String.format(Locale.ROOT, "the generator took at least the server's share of a saturated"
                    + " machine (generator %.0f%%, server %.0f%% of %d cores): the limit may be the generator's,"
                    + " not the server's", cpu.generatorPercent(), cpu.serverPercent(), cpu.cores()));
        }
        if (duplicates > 0) {
            warnings.add(duplicates + " deliveries were duplicates (counted once)");
        }
        if (misrouted > 0) {
            warnings.add(misrouted + " deliveries went to their own sender or named the wrong sender");
        }
        if (sent == 0) {
            warnings.add("nothing was sent in the measured window");
        }
        return warnings;
    }
}
