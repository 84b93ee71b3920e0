package io.ciphergram.relay;

import java.lang.System.Logger.Level;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.ciphergram.session.Confinement;

/**
 * The relay thread ({@code ciphergram-relay}): the one thread that owns engine state (see the package
 * documentation). It runs tasks posted from any thread, in order, and timers at their deadlines; after
 * each turn (a batch of tasks and due timers) it runs the end-of-turn hook (sessions given up during the
 * turn leave; a cluster's link is handed what to send). It sleeps when there is nothing to do.
 */
public final class RelayLoop implements Executor, Scheduler, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RelayLoop.class.getName());
    /** Tasks taken per turn before timers and the end-of-turn hook get their chance. */
    private static final int TURN = 256;
    /** The longest the thread sleeps between turns. */
    public static final long HEARTBEAT = TimeUnit.SECONDS.toNanos(1);

    private record Timer(long deadline, long order, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer other) {
            int byDeadline = Long.compare(deadline, other.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(order, other.order);
        }
    }

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final LongSupplier clock;
    private final Thread thread;
    private volatile Runnable endOfTurn = () -> { };
    private volatile boolean running = true;
    private volatile boolean sleeping;
    /** When the thread last began a turn; it turns at least once a second, so liveness can watch it. */
    private volatile long lastTurnNanos;
    private long timerOrder;

    /** Starts the relay thread, which from now on owns {@code confinement}. */
    public RelayLoop(LongSupplier clock, Confinement confinement) {
        this.clock = clock;
        this.lastTurnNanos = clock.getAsLong();
        this.thread = new Thread(this::run, "ciphergram-relay");
        this.thread.setDaemon(true);
        confinement.owner(thread);
        this.thread.start();
    }

    /** What to run after each turn (egress flushes). */
    public void endOfTurn(Runnable hook) {
        this.endOfTurn = hook;
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void execute(Runnable task) {
        if (!running) {
            throw new RejectedExecutionException("the relay loop has stopped");
        }
        tasks.offer(task);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void at(long deadlineNanos, Runnable task) {
        if (inLoop()) {
            timers.add(new Timer(deadlineNanos, timerOrder++, task));
        } else {
            execute(() -> timers.add(new Timer(deadlineNanos, timerOrder++, task)));
        }
    }

    /** Runs {@code task} every {@code periodNanos}, first after one period. */
    public void every(long periodNanos, Runnable task) {
        at(clock.getAsLong() + periodNanos, new Runnable() {
            @Override
            public void run() {
                task.run();
                timers.add(new Timer(clock.getAsLong() + periodNanos, timerOrder++, this));
            }
        });
    }

    /**
     * How long ago the relay thread last began a turn. It begins one at least every {@link #HEARTBEAT}, so
     * much more than that means it is stuck in one task (liveness, any thread).
     */
    public long sinceLastTurnNanos() {
        return clock.getAsLong() - lastTurnNanos;
    }

    private void run() {
        while (running) {
            lastTurnNanos = clock.getAsLong();
            Runnable task;
            int taken = 0;
            while (taken < TURN && (task = tasks.poll()) != null) {
                safely(task);
                taken++;
            }
            long now = clock.getAsLong();
            while (!timers.isEmpty() && timers.peek().deadline <= now) {
                safely(timers.poll().task);
            }
            safely(endOfTurn);
            if (tasks.isEmpty()) {
                sleeping = true;
                if (tasks.isEmpty() && running) {
                    long wait = timers.isEmpty() ? HEARTBEAT : Math.min(HEARTBEAT, timers.peek().deadline - clock.getAsLong());
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                }
                sleeping = false;
            }
        }
    }

    private static void safely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // A bug must cost one task, not the relay thread.
            LOG.log(Level.ERROR, "relay task failed", e);
        }
    }

    /** Stops the thread after the task it is running; queued tasks are dropped. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
