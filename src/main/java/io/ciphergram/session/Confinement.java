package io.ciphergram.session;

/**
 * Holds the engine to its threading model: engine state belongs to one thread (the relay thread in the
 * service, the test's thread in unit tests), and {@link #check} fails fast when any other thread touches
 * it. The owner is set explicitly ({@link #owner(Thread)}) or, for a confinement made with
 * {@link #firstUse()}, by the first thread that checks.
 */
public final class Confinement {

    private volatile Thread owner;

    private Confinement(Thread owner) {
        this.owner = owner;
    }

    /** Owned by whichever thread first calls {@link #check}: for engines driven directly by a test. */
    public static Confinement firstUse() {
        return new Confinement(null);
    }

    /** Owned by {@code thread} from now on. */
    public void owner(Thread thread) {
        owner = thread;
    }

    /** @throws IllegalStateException if the calling thread is not the owner */
    public void check() {
        Thread current = Thread.currentThread();
        Thread o = owner;
        if (o == current) {
            return;
        }
        if (o == null) {
            synchronized (this) {
                if (owner == null) {
                    owner = current;
                    return;
                }
            }
        }
        throw new IllegalStateException("engine state touched from thread " + current.getName()
                + "; it belongs to " + owner.getName() + " (see io.ciphergram.relay package-info)");
    }
}
