package io.ciphergram.cli.bench;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code --find-capacity}: raises the offered rate step by step (×{@code factor} from the start rate) until
 * a step loses more than {@code maxLossPercent} (or, with {@code --max-p99}, its p99 latency exceeds
 * {@code maxP99Millis}), the generator itself could not keep up, or {@code maxSteps} have run. The capacity
 * is the highest delivered datagrams/s among the steps within the bounds. The latency bound is there
 * because loss alone rewards deep buffers: a step that outruns the server fills its socket buffers, and
 * what they hold is delivered late but not lost. Pure: the caller runs each step and records it.
 */
public final class CapacitySearch {

    private final double startRate;
    private final double factor;
    private final double maxLossPercent;
    private final double maxP99Millis;
    private final int maxSteps;
    private final List<StepResult> steps = new ArrayList<>();
    private boolean stopped;

    /** @param maxP99Millis the p99 latency a step may have and still count; infinite for no bound */
    public CapacitySearch(double startRate, double factor, double maxLossPercent, double maxP99Millis, int maxSteps) {
        if (!(startRate > 0) || !(factor > 1) || maxSteps < 1) {
            throw new IllegalArgumentException("needs a positive start rate, a factor over 1 and at least one step");
        }
        this.startRate = startRate;
        this.factor = factor;
        this.maxLossPercent = maxLossPercent;
        this.maxP99Millis = maxP99Millis;
        this.maxSteps = maxSteps;
    }

    public boolean done() {
        return stopped || steps.size() >= maxSteps;
    }

    /** The rate to offer in the next step. */
    public double nextRate() {
        if (done()) {
            throw new IllegalStateException("the search is over");
        }
        return startRate * Math.pow(factor, steps.size());
    }

    public void record(StepResult step) {
        steps.add(step);
        if (!counts(step) || step.generatorLimited()) {
            stopped = true;
        }
    }

    public List<StepResult> steps() {
        return List.copyOf(steps);
    }

    /** The step with the highest delivered rate within the bounds, if any was. */
    public Optional<StepResult> best() {
        return steps.stream().filter(this::counts).max(Comparator.comparingDouble(StepResult::deliveredPerSecond));
    }

    /** Why the search stopped, for the report. */
    public String stopReason() {
        if (steps.isEmpty()) {
            return "no step ran";
        }
        StepResult last = steps.get(steps.size() - 1);
        if (!withinLoss(last)) {
            return String.format(Locale.ROOT, "step %d lost %.2f%% (> %.2f%%)", last.step(),
                    last.lossPercent(), maxLossPercent);
        }
        if (!withinLatency(last)) {
            return String.format(Locale.ROOT, "step %d had a p99 of %.1f ms (> %s ms)", last.step(),
                    last.latency().p99Micros() / 1000, plain(maxP99Millis));
        }
        if (last.generatorLimited()) {
            return "step " + last.step() + " was limited by the generator, not the server";
        }
        return "the last of " + maxSteps + " steps ran";
    }

    /** A bound as its user wrote it: 100, 0.5. */
    static String plain(double number) {
        return BigDecimal.valueOf(number).stripTrailingZeros().toPlainString();
    }

    private boolean counts(StepResult step) {
        return withinLoss(step) && withinLatency(step);
    }

    private boolean withinLoss(StepResult step) {
        return step.sent() > 0 && step.lossPercent() <= maxLossPercent;
    }

    private boolean withinLatency(StepResult step) {
        return step.latency().p99Micros() <= maxP99Millis * 1000;
    }
}
