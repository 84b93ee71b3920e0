package io.ciphergram.cli.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code --find-capacity}: raises the offered rate step by step (×{@code factor} from the start rate) until
 * a step loses more than {@code maxLossPercent}, the generator itself could not keep up, or
 * {@code maxSteps} have run. The capacity is the highest delivered datagrams/s among the steps within
 * the loss bound. Pure: the caller runs each step and records it.
 */
public final class CapacitySearch {

    private final double startRate;
    private final double factor;
    private final double maxLossPercent;
    private final int maxSteps;
    private final List<StepResult> steps = new ArrayList<>();
    private boolean stopped;

    public CapacitySearch(double startRate, double factor, double maxLossPercent, int maxSteps) {
        if (!(startRate > 0) || !(factor > 1) || maxSteps < 1) {
            throw new IllegalArgumentException("needs a positive start rate, a factor over 1 and at least one step");
        }
        this.startRate = startRate;
        this.factor = factor;
        this.maxLossPercent = maxLossPercent;
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
        if (!withinLoss(step) || step.generatorLimited()) {
            stopped = true;
        }
    }

    public List<StepResult> steps() {
        return List.copyOf(steps);
    }

    /** The step with the highest delivered rate whose loss is within the bound, if any was. */
    public Optional<StepResult> best() {
        return steps.stream().filter(this::withinLoss).max(Comparator.comparingDouble(StepResult::deliveredPerSecond));
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
        if (last.generatorLimited()) {
            return "step " + last.step() + " was limited by the generator, not the server";
        }
        return "the last of " + maxSteps + " steps ran";
    }

    private boolean withinLoss(StepResult step) {
        return step.sent() > 0 && step.lossPercent() <= maxLossPercent;
    }
}
