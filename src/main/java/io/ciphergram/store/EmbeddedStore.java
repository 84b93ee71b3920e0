package io.ciphergram.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.ciphergram.store.StoreState.Change;

/**
 * The store of a single instance, on its own disk: the state in memory ({@link StoreState}, answering as
 * {@link MemoryStore} does: both are a {@link StateStore}; the contract tests hold both to it), and every change written to a
 * {@link Journal} in a data directory and forced to disk before its stage completes. On open the journal is replayed; when it has grown
 * past {@link #COMPACT_FACTOR} times what is live, it is rewritten as a snapshot of what is live.
 *
 * <h2>What the journal holds</h2>
 * Changes, not requests: a binding as it now is, a name released, a message deposited (its sequence, sender
 * name, storage time and sealed envelope bytes, never anything the relay could read), an acknowledgement, a
 * history line (in clear, as {@link HistoryLine} says), a room purged, an expiry cut-off. Replaying them needs
 * no clock, so a binding that was live when a deposit was made stays the one it was made for.
 *
 * <h2>Threads</h2>
 * One thread, {@value #THREAD}, owns the state and the files. Callers (any thread) queue work; the thread
 * takes what is queued (up to {@value #BATCH} at a time), runs it in order, writes the changes of the whole
 * batch with one write and one {@code fsync}, and only then completes the batch's stages on the callback
 * executor: a {@code kill -9} loses only what had not completed. If the disk refuses a write, the batch fails
 * and so does everything after it (the state in memory would be ahead of the disk).
 *
 * <h2>Files</h2>
 * {@code DIR/store.journal} (the journal), {@code DIR/store.lock} (held while open, so that a second process
 * on the same directory fails to open instead of interleaving writes), {@code DIR/store.journal.damaged-*}
 * (copies of a damaged journal, see {@link Journal}). The directory is {@code rwx------} and the files
 * {@code rw-------}.
 */
public final class EmbeddedStore extends StateStore {

    private static final System.Logger LOG = System.getLogger(EmbeddedStore.class.getName());

    static final String THREAD = "ciphergram-store";
    static final String JOURNAL = "store.journal";
    static final String LOCK = "store.lock";
    /** The journal is compacted once it is this many times larger than what is live ... */
    static final int COMPACT_FACTOR = 4;
    /** ... and at least this large (a small journal is cheap to replay). */
    static final long COMPACT_MIN_BYTES = 4L << 20;
    static final int BATCH = 256;

    private record Queued<T>(Work<T> work, CompletableFuture<T> result) {
    }

    private static final Queued<Void> STOP = new Queued<>(changes -> null, null);

    private final Path directory;
    private final StorePolicy policy;
    private final LongSupplier millis;
    private final Completions completions;
    private final long compactMinBytes;
    private final LinkedBlockingQueue<Queued<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed; // guarded by queue
    private final Journal.Recovery recovery;

    // ---- the store thread's (during open, the opening thread's, before the store thread starts), as is state
    private Journal journal;
    private long liveBytes;
    private IOException writeFailure;

    private EmbeddedStore(Path directory, StorePolicy policy, Executor callbacks, LongSupplier millis, long compactMinBytes)
            throws IOException {
        super(new StoreState(policy, millis));
        this.directory = directory;
        this.policy = policy;
        this.millis = millis;
        this.completions = new Completions(callbacks);
        this.compactMinBytes = compactMinBytes;
        createPrivateDirectory(directory);
        Path lockFile = directory.resolve(LOCK);
        lockChannel = FileChannel.open(lockFile, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                Journal.ownerOnly(lockFile, Journal.OWNER_ONLY_FILE));
        FileLock held;
        try {
            held = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            lockChannel.close();
            throw new IOException("the store in " + directory + " is already open (another instance or process uses it)");
        }
        lock = held;
        Journal.Recovery[] found = new Journal.Recovery[1];
        try {
            journal = Journal.open(directory.resolve(JOURNAL), payload -> state.apply(ChangeCodec.decode(payload)),
                    r -> found[0] = r);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
        recovery = found[0];
        report(recovery);
        List<byte[]> snapshot = snapshot();
        liveBytes = Journal.framedSize(snapshot);
        if (journal.size() > compactMinBytes && journal.size() > COMPACT_FACTOR * liveBytes) {
            journal.rewrite(snapshot);
        }
        thread = new Thread(this::serve, THREAD);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Opens the store kept in {@code directory} (created owner-only if missing), replaying what it holds.
     *
     * @param directory the data directory ({@code ciphergram.data.dir}); one store per directory at a time
     * @param callbacks where every stage completes (in the service, the relay thread)
     * @param millis the time the policy's ages are measured against (epoch milliseconds)
     * @throws IOException if the directory cannot be made or read, or another store holds it
     */
    public static EmbeddedStore open(Path directory, StorePolicy policy, Executor callbacks, LongSupplier millis)
            throws IOException {
        return new EmbeddedStore(directory, policy, callbacks, millis, COMPACT_MIN_BYTES);
    }

    /** As {@link #open}, compacting from a smaller journal (tests). */
    static EmbeddedStore open(Path directory, StorePolicy policy, Executor callbacks, LongSupplier millis, long compactMinBytes)
            throws IOException {
        return new EmbeddedStore(directory, policy, callbacks, millis, compactMinBytes);
    }

    /** What opening found in the journal. */
    Journal.Recovery recovery() {
        return recovery;
    }

    private void report(Journal.Recovery found) {
        String records = Integer.toString(found.records());
        String dropped = Long.toString(found.droppedBytes());
        if (found.droppedBytes() == 0) {
            LOG.log(System.Logger.Level.INFO, "store: {0} changes replayed from {1}", records, directory);
        } else if (found.torn()) {
            LOG.log(System.Logger.Level.WARNING, "store: the last record of {0} was cut short ({1} bytes; a write "
                    + "interrupted by a crash, never confirmed); dropped it, kept the {2} changes before it",
                    directory.resolve(JOURNAL), dropped, records);
        } else {
            LOG.log(System.Logger.Level.ERROR, "store: {0} is damaged: {1} bytes after the first {2} changes are "
                    + "unreadable; starting from those {2} changes; the damaged file is kept as {3}",
                    directory.resolve(JOURNAL), dropped, records, found.damagedCopy());
        }
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, Journal.ownerOnly(directory, Journal.OWNER_ONLY_DIR));
        }
        PosixFileAttributeView view = Files.getFileAttributeView(directory, PosixFileAttributeView.class);
        if (view != null && !view.readAttributes().permissions().equals(Journal.OWNER_ONLY_DIR)) {
            view.setPermissions(Journal.OWNER_ONLY_DIR); // it holds history in clear: nobody else reads it
        }
    }

    @Override
    public void close() {
        synchronized (queue) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            journal.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "store: closing {0}: {1}", directory, e.getMessage());
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "store: releasing {0}: {1}", directory, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- the store thread

    /** Queues {@code work} for the store's thread; its stage completes once its batch is on disk. */
    @Override
    <T> CompletionStage<T> submit(Work<T> work) {
        CompletableFuture<T> pending = Completions.pending();
        synchronized (queue) {
            if (closed) {
                return completions.failed(new IllegalStateException("the store is closed"));
            }
            queue.add(new Queued<>(work, pending));
        }
        return Completions.view(pending);
    }

    private void serve() {
        List<Queued<?>> batch = new ArrayList<>(BATCH);
        List<Change> changes = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            batch.clear();
            changes.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close stops it
            }
            queue.drainTo(batch, BATCH - 1);
            Object[] values = new Object[batch.size()];
            Throwable[] failures = new Throwable[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                Queued<?> queued = batch.get(i);
                if (queued == STOP) {
                    stopping = true;
                    continue;
                }
                if (writeFailure != null) {
                    failures[i] = new UncheckedIOException("the store cannot write to " + directory, writeFailure);
                    continue;
                }
                try {
                    values[i] = queued.work().run(changes::add);
                } catch (RuntimeException | Error e) {
                    failures[i] = e;
                }
            }
            if (!changes.isEmpty() && writeFailure == null) {
                try {
                    journal.append(changes.stream().map(ChangeCodec::encode).toList());
                    journal.force();
                } catch (IOException e) {
                    writeFailure = e;
                    LOG.log(System.Logger.Level.ERROR, "store: cannot write to {0} ({1}); the store refuses "
                            + "everything from now on, restart once the disk is fixed", directory, e.getMessage());
                    for (int i = 0; i < failures.length; i++) {
                        failures[i] = new UncheckedIOException("the store cannot write to " + directory, e);
                    }
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                complete(batch.get(i), values[i], failures[i]);
            }
            if (writeFailure == null) {
                compactIfGrown();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> void complete(Queued<T> queued, Object value, Throwable failure) {
        if (queued == STOP) {
            return;
        }
        if (failure != null) {
            completions.fail(queued.result(), failure);
        } else {
            completions.complete(queued.result(), (T) value);
        }
    }

    private void compactIfGrown() {
        long size = journal.size();
        if (size <= compactMinBytes || size <= COMPACT_FACTOR * liveBytes) {
            return;
        }
        List<byte[]> snapshot = snapshot();
        try {
            journal.rewrite(snapshot);
            liveBytes = journal.size();
        } catch (IOException e) {
            // the old journal is still whole (the rename is the last step); try again when it has grown more
            liveBytes = size;
            LOG.log(System.Logger.Level.WARNING, "store: cannot compact {0} ({1}); going on with the journal as it is",
                    directory, e.getMessage());
        }
    }

    /** What is live, as journal records that rebuild it. */
    private List<byte[]> snapshot() {
        return state.snapshot().stream().map(ChangeCodec::encode).toList();
    }
}
