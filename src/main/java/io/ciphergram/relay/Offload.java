package io.ciphergram.relay;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Where expensive one-off work (RSA key transport, Ed25519 signing) runs, so that it never holds up the
 * relay thread: {@code work} runs elsewhere on immutable inputs and its outcome comes back to the relay
 * thread. Work that cannot be taken (the queue is full) is refused at once, so a handshake flood costs
 * bounded memory and CPU.
 */
public interface Offload {

    /** Runs work on the calling thread: for engines driven directly by tests. */
    Offload DIRECT = new Offload() {
        @Override
        public <T> boolean submit(Callable<T> work, Consumer<T> done, Consumer<Exception> failed) {
            T result;
            try {
                result = work.call();
            } catch (Exception e) {
                failed.accept(e);
                return true;
            }
            done.accept(result);
            return true;
        }
    };

    /**
     * @return false if the work was refused (nothing will be called back)
     */
    <T> boolean submit(Callable<T> work, Consumer<T> done, Consumer<Exception> failed);
}
