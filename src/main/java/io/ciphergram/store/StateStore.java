package io.ciphergram.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import io.ciphergram.store.StoreState.Change;

/**
 * A {@link Store} whose answers are one {@link StoreState}'s: the port's three parts (bindings, mailboxes,
 * history), each call one {@link Work} on the state. A subclass says only where the work runs and what
 * becomes of the changes it makes: {@link MemoryStore} runs it under a lock and keeps nothing else,
 * {@link EmbeddedStore} on its own thread and journals every change before the answer completes.
 */
abstract class StateStore implements Store {

    /** One call of the port, run against the state; it hands each change it makes to {@code changes}. */
    interface Work<T> {
        T run(Consumer<Change> changes);
    }

    /** Touched only by work that {@link #submit} runs, one at a time (and by a subclass before it runs any). */
    final StoreState state;

    private final NameBindings names = new Names();
    private final Mailboxes boxes = new Boxes();
    private final RoomHistory rooms = new Rooms();

    StateStore(StoreState state) {
        this.state = state;
    }

    /**
     * Runs {@code work} against the state, after every call submitted before it and never alongside one,
     * and answers what it returns or throws (a closed store fails it).
     */
    abstract <T> CompletionStage<T> submit(Work<T> work);

    @Override
    public final NameBindings bindings() {
        return names;
    }

    @Override
    public final Mailboxes mailboxes() {
        return boxes;
    }

    @Override
    public final RoomHistory history() {
        return rooms;
    }

    private final class Names implements NameBindings {

        @Override
        public CompletionStage<Optional<NameBinding>> get(String name) {
            return submit(changes -> state.binding(name));
        }

        @Override
        public CompletionStage<NameBinding> bindIfFree(String name, byte[] identityKey, long nowMillis) {
            return submit(changes -> state.bindIfFree(name, identityKey, nowMillis, changes));
        }

        @Override
        public CompletionStage<Boolean> publishPrekey(String name, byte[] identityKey, SignedPrekey prekey) {
            return submit(changes -> state.publishPrekey(name, identityKey, prekey, changes));
        }

        @Override
        public CompletionStage<List<NameBinding>> list(int offset, int limit) {
            return submit(changes -> state.list(offset, limit));
        }

        @Override
        public CompletionStage<Integer> count() {
            return submit(changes -> state.bindingCount());
        }

        @Override
        public CompletionStage<Boolean> release(String name) {
            return submit(changes -> state.release(name, changes));
        }

        @Override
        public CompletionStage<Integer> expireUnusedSince(long cutoffMillis) {
            return submit(changes -> state.expireUnusedSince(cutoffMillis, changes));
        }
    }

    private final class Boxes implements Mailboxes {

        @Override
        public CompletionStage<Deposit> deposit(String recipient, String sender, byte[] envelope, long nowMillis) {
            return submit(changes -> state.deposit(recipient, sender, envelope, nowMillis, changes));
        }

        @Override
        public CompletionStage<List<StoredMessage>> peek(String recipient, int max) {
            return submit(changes -> state.peek(recipient, max));
        }

        @Override
        public CompletionStage<Void> acknowledge(String recipient, long sequence) {
            return submit(changes -> {
                state.acknowledge(recipient, sequence, changes);
                return null;
            });
        }

        @Override
        public CompletionStage<Integer> count(String recipient) {
            return submit(changes -> state.messageCount(recipient));
        }

        @Override
        public CompletionStage<Integer> expireOlderThan(long cutoffMillis) {
            return submit(changes -> state.expireMessagesOlderThan(cutoffMillis, changes));
        }
    }

    private final class Rooms implements RoomHistory {

        @Override
        public CompletionStage<Void> append(HistoryLine line) {
            return submit(changes -> {
                state.append(line, changes);
                return null;
            });
        }

        @Override
        public CompletionStage<List<HistoryLine>> recent(String room, int max) {
            return submit(changes -> state.recent(room, max));
        }

        @Override
        public CompletionStage<List<HistoryLine>> after(String room, long afterId, int max) {
            return submit(changes -> state.after(room, afterId, max));
        }

        @Override
        public CompletionStage<Long> lastId(String room) {
            return submit(changes -> state.lastId(room));
        }

        @Override
        public CompletionStage<List<String>> rooms() {
            return submit(changes -> state.rooms());
        }

        @Override
        public CompletionStage<Integer> purge(String room) {
            return submit(changes -> state.purge(room, changes));
        }

        @Override
        public CompletionStage<Integer> expireOlderThan(long cutoffMillis) {
            return submit(changes -> state.expireLinesOlderThan(cutoffMillis, changes));
        }
    }
}
