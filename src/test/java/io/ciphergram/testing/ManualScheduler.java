package io.ciphergram.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.ciphergram.relay.Scheduler;

/** Timers for an engine driven by a test: they run when the test says the time has come. */
public final class ManualScheduler implements Scheduler {

    private record Timer(long deadline, Runnable task) {
    }

    private final List<Timer> timers = new ArrayList<>();

    @Override
    public void at(long deadlineNanos, Runnable task) {
        timers.add(new Timer(deadlineNanos, task));
    }

    /** Runs every timer due at {@code now}, including those the running ones arm for no later than now. */
    public void runDue(long now) {
        while (true) {
            Timer due = timers.stream().filter(t -> t.deadline() <= now).min(Comparator.comparingLong(Timer::deadline))
                    .orElse(null);
            if (due == null) {
                return;
            }
            timers.remove(due);
            due.task().run();
        }
    }

    public int pending() {
        return timers.size();
    }
}
