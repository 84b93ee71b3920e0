package io.ciphergram.cli.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One step's sending, on its own thread ({@code ciphergram-bench-sender}): message {@code k} goes out at
 * its {@link PacingSchedule} deadline from client {@code seq mod N} (round-robin), its text stamped with
 * the send time. The thread parks until the next deadline and, when it wakes late, sends everything due
 * at once, so the rate is kept on average and any shortfall shows as lag. It stops at the end of the
 * measured window whatever is left unsent: a sender that cannot keep up then shows a lower achieved rate.
 */
final class Sender implements Runnable {

    /** What to send: the rate, the warmup before the measured window, the window, the first message number. */
    record Plan(double rate, long warmupNanos, long durationNanos, long firstSeq, int size) {
    }

    /**
     * What was sent. The counts are of the measured window's messages.
     *
     * @param nextSeq the first message number the next step may use
     * @param cpuNanos the sender thread's CPU time for the step
     */
    record Outcome(long sent, long backpressured, long failed, long nextSeq, long maxLagNanos, long cpuNanos) {
    }

    /** How often, in messages, a long catch-up burst looks at the clock. */
    private static final int CLOCK_CHECK_MASK = 31;

    private final List<BenchClient> clients;
    private final ClientContext context;
    private final MeasureWindow window;
    private final Plan plan;
    private volatile long sentSoFar;
    private volatile long startNanos = Long.MAX_VALUE;
    private Outcome outcome;

    Sender(List<BenchClient> clients, ClientContext context, MeasureWindow window, Plan plan) {
        this.clients = List.copyOf(clients);
        this.context = context;
        this.window = window;
        this.plan = plan;
    }

    /** Messages handed to clients so far in this step, warmup included: for the progress line. */
    long sentSoFar() {
        return sentSoFar;
    }

    /** When the step's schedule started (Long.MAX_VALUE before). */
    long startNanos() {
        return startNanos;
    }

    /** After the thread has ended. */
    Outcome outcome() {
        return outcome;
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        startNanos = start;
        PacingSchedule schedule = new PacingSchedule(start, plan.rate());
        long measureStart = start + plan.warmupNanos();
        long end = measureStart + plan.durationNanos();
        long firstMeasured = schedule.countBefore(measureStart);
        long last = schedule.countBefore(end);
        window.open(plan.firstSeq() + firstMeasured);
        long sent = 0;
        long backpressured = 0;
        long failed = 0;
        long maxLag = 0;
        long k = 0;
        while (k < last) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long due = Math.min(schedule.dueBy(now), last);
            if (k >= due) {
                LockSupport.parkNanos(schedule.deadline(k) - now);
                continue;
            }
            if (k >= firstMeasured) {
                maxLag = Math.max(maxLag, schedule.lagNanos(k, now));
            }
            while (k < due) {
                BenchClient.SendOutcome result = sendMessage(plan.firstSeq() + k);
                if (k >= firstMeasured) {
                    switch (result) {
                        case SENT -> sent++;
                        case BACKPRESSURED -> backpressured++;
                        case FAILED -> failed++;
                    }
                }
                k++;
                if ((k & CLOCK_CHECK_MASK) == 0 && System.nanoTime() >= end) {
                    break;
                }
            }
            sentSoFar = k;
        }
        sentSoFar = k;
        window.bound(plan.firstSeq() + k);
        outcome = new Outcome(sent, backpressured, failed, plan.firstSeq() + k, maxLag,
                ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
    }

    private BenchClient.SendOutcome sendMessage(long seq) {
        BenchClient client = clients.get((int) (seq % clients.size()));
        long now = System.nanoTime();
        byte[] text = context.format.format(client.index, seq, context.now(now), plan.size());
        return client.send(text, now);
    }
}
