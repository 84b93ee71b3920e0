package io.ciphergram.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.store.Mailboxes.Deposit;
import io.ciphergram.testing.ProcessPeer;

/** The contract on disk, plus what only a store on disk can get wrong: restarts, crashes, damage, permissions. */
class EmbeddedStoreTest extends StoreContract {

    @TempDir
    Path base;
    /** The directory of the store the contract opened last. */
    private Path dir;
    private final List<Store> reopened = new ArrayList<>();

    @Override
    protected Store open(StorePolicy policy, Executor callbacks, LongSupplier millis) throws Exception {
        dir = Files.createTempDirectory(base, "store").resolve("data");
        return EmbeddedStore.open(dir, policy, callbacks, millis);
    }

    @AfterEach
    void closeTheReopened() {
        reopened.forEach(Store::close);
    }

    private EmbeddedStore reopen(Path at, StorePolicy policy) throws IOException {
        EmbeddedStore again = EmbeddedStore.open(at, policy, relay, clock::get);
        reopened.add(again);
        return again;
    }

    private EmbeddedStore restart(StorePolicy policy) throws IOException {
        store.close();
        EmbeddedStore again = reopen(dir, policy);
        store = again;
        return again;
    }

    private Path journal() {
        return dir.resolve(EmbeddedStore.JOURNAL);
    }

    private void writeSomethingOfEach() {
        await(() -> store.bindings().bindIfFree("Alice", ALICE_KEY, clock.get()));
        await(() -> store.bindings().publishPrekey("alice", ALICE_KEY, prekey(3, 3)));
        await(() -> store.bindings().bindIfFree("bob", key(3), clock.get()));
        for (String text : List.of("one", "two", "three")) {
            await(() -> store.mailboxes().deposit("alice", "bob", envelope(text), clock.get()));
        }
        long first = await(() -> store.mailboxes().peek("alice", 1)).get(0).sequence();
        await(() -> store.mailboxes().acknowledge("alice", first));
        for (long id = 1; id <= 3; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
        }
        await(() -> store.history().append(line("#dev", 7)));
        await(() -> store.history().purge("#dev"));
    }

    private record Seen(List<NameBinding> bindings, List<StoredMessage> mail, List<HistoryLine> lobby, List<String> rooms,
            long devLastId) {
    }

    private Seen seen() {
        return new Seen(await(() -> store.bindings().list(0, 100)), await(() -> store.mailboxes().peek("alice", 100)),
                await(() -> store.history().recent("#lobby", 100)), await(() -> store.history().rooms()),
                await(() -> store.history().lastId("#dev")));
    }

    @Test
    void everythingThatCompletedIsThereAfterARestart() throws Exception {
        writeSomethingOfEach();
        Seen before = seen();

        restart(POLICY);

        assertThat(seen()).isEqualTo(before);
        assertThat(before.bindings()).hasSize(2);
        assertThat(before.bindings().get(0).prekey()).isEqualTo(prekey(3, 3));
        assertThat(before.mail()).extracting(m -> new String(m.envelope(), StandardCharsets.UTF_8)).containsExactly("two", "three");
        assertThat(before.lobby()).extracting(HistoryLine::id).containsExactly(1L, 2L, 3L);
        assertThat(before.devLastId()).isEqualTo(7);
        await(() -> store.mailboxes().deposit("alice", "bob", envelope("four"), clock.get()));
        List<StoredMessage> mail = await(() -> store.mailboxes().peek("alice", 100));
        assertThat(mail.get(2).sequence()).isGreaterThan(mail.get(1).sequence()); // numbering goes on
        assertThat(await(() -> store.bindings().bindIfFree("alice", MALLORY_KEY, clock.get())).ownedBy(ALICE_KEY)).isTrue();
    }

    @Test
    void whatCompletedIsOnTheDiskEvenIfTheProcessDiesWithoutClosing() throws Exception {
        writeSomethingOfEach();
        Seen before = seen();
        Path copy = Files.createDirectory(base.resolve("after-kill"));
        // a kill -9 leaves the files as they are now: copy them while the store is still open
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        store = reopen(copy, POLICY);

        assertThat(seen()).isEqualTo(before);
    }

    @Test
    void aProcessKilledMidWriteLeavesEveryLineItConfirmedAndNothingOutOfOrder() throws Exception {
        Path at = base.resolve("killed");
        Path home = Files.createDirectory(base.resolve("child-home"));
        long confirmed;
        try (ProcessPeer child = new ProcessPeer(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), EmbeddedStoreCrashChild.class.getName(),
                at.toString()))) {
            child.awaitLine(l -> l.startsWith("kept ") && Long.parseLong(l.substring(5)) >= 300);
            child.process().destroyForcibly(); // SIGKILL: no close, no shutdown hook
            assertThat(child.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(child.stdout()).noneMatch(l -> l.startsWith("failed"));
            confirmed = child.stdout().stream().filter(l -> l.startsWith("kept ")).mapToLong(l -> Long.parseLong(l.substring(5)))
                    .max().orElseThrow();
        }

        clock.set(System.currentTimeMillis()); // the child's lines were stamped by the real clock
        EmbeddedStore after = reopen(at, EmbeddedStoreCrashChild.KEEP_ALL);

        long last = await(() -> after.history().lastId("#lobby"));
        assertThat(last).isGreaterThanOrEqualTo(confirmed);
        assertThat(await(() -> after.history().after("#lobby", 0, Integer.MAX_VALUE))).extracting(HistoryLine::id)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, last).boxed().toList());
    }

    @Test
    void aSecondStoreOnADirectoryInUseIsRefused() {
        assertThatThrownBy(() -> reopen(dir, POLICY)).isInstanceOf(IOException.class).hasMessageContaining("already open");
    }

    @Test
    void aTornLastRecordIsDroppedAndEverythingBeforeItSurvives() throws Exception {
        for (long id = 1; id <= 3; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
        }
        store.close();
        try (RandomAccessFile file = new RandomAccessFile(journal().toFile(), "rw")) {
            file.setLength(file.length() - 5); // the crash came in the middle of writing line 3
        }

        EmbeddedStore again = restart(POLICY);

        assertThat(again.recovery().torn()).isTrue();
        assertThat(again.recovery().droppedBytes()).isPositive();
        assertThat(again.recovery().damagedCopy()).isNull();
        assertThat(await(() -> again.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(1L, 2L);
        await(() -> again.history().append(line("#lobby", 3)));
        EmbeddedStore third = restart(POLICY);
        assertThat(third.recovery().droppedBytes()).isZero();
        assertThat(await(() -> third.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aDamagedRecordKeepsWhatWasBeforeItAndACopyForTheOperator() throws Exception {
        for (long id = 1; id <= 3; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
        }
        store.close();
        long size = Files.size(journal());
        long recordSize = (size - Journal.MAGIC.length) / 3;
        try (RandomAccessFile file = new RandomAccessFile(journal().toFile(), "rw")) {
            long inSecond = Journal.MAGIC.length + recordSize + recordSize / 2;
            file.seek(inSecond);
            int b = file.read();
            file.seek(inSecond);
            file.write(b ^ 0x5a);
        }

        EmbeddedStore again = restart(POLICY);

        assertThat(again.recovery().torn()).isFalse();
        assertThat(again.recovery().records()).isEqualTo(1);
        assertThat(await(() -> again.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(1L);
        Path copy = again.recovery().damagedCopy();
        assertThat(copy).exists().hasParent(dir);
        assertThat(Files.size(copy)).isEqualTo(size);
        assertThat(Files.getPosixFilePermissions(copy)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aJournalOfGarbageOpensEmptyAndTheStoreWorks() throws Exception {
        store.close();
        byte[] garbage = new byte[4096];
        new Random(17).nextBytes(garbage);
        Files.write(journal(), garbage);

        EmbeddedStore again = restart(POLICY);

        assertThat(again.recovery().records()).isZero();
        assertThat(again.recovery().damagedCopy()).exists();
        assertThat(await(() -> again.bindings().count())).isZero();
        await(() -> again.history().append(line("#lobby", 1)));
        EmbeddedStore third = restart(POLICY);
        assertThat(await(() -> third.history().recent("#lobby", 10))).hasSize(1);
    }

    @Test
    void anEmptyOrHeaderlessJournalOpensEmpty() throws Exception {
        store.close();
        Files.write(journal(), new byte[0]);
        EmbeddedStore empty = restart(POLICY);
        assertThat(await(() -> empty.history().rooms())).isEmpty();
        store.close();
        Files.write(journal(), new byte[] {'C', 'G', 'S'}); // created, and the crash came inside the header
        EmbeddedStore again = restart(POLICY);
        assertThat(again.recovery().torn()).isTrue();
        assertThat(await(() -> again.history().rooms())).isEmpty();
    }

    @Test
    void theDirectoryAndItsFilesAreOwnerOnly() throws Exception {
        await(() -> store.history().append(line("#lobby", 1)));

        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                assertThat(Files.getPosixFilePermissions(file)).as(file.toString())
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
        }
        Path open = Files.createDirectory(base.resolve("was-open"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        reopen(open, POLICY);
        assertThat(Files.getPosixFilePermissions(open)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void theHistoryPolicyOfTheNewStartHoldsForWhatWasKeptBefore() throws Exception {
        for (long id = 1; id <= 5; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
        }

        EmbeddedStore fewer = restart(new StorePolicy(2, POLICY.historyAge(), 3, POLICY.mailboxAge(), POLICY.bindingsUnusedFor()));
        assertThat(await(() -> fewer.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(4L, 5L);

        clock.addAndGet(POLICY.historyAge().toMillis() + 1);
        EmbeddedStore later = restart(POLICY);
        assertThat(await(() -> later.history().recent("#lobby", 10))).isEmpty();
        assertThat(await(() -> later.history().lastId("#lobby"))).isEqualTo(5);
    }

    @Test
    void aFullMailboxIsStillFullAfterARestartAndAnUnusedBindingStillExpires() throws Exception {
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
        for (int i = 0; i < POLICY.mailboxMessages(); i++) {
            await(() -> store.mailboxes().deposit("alice", "bob", envelope("m"), clock.get()));
        }

        EmbeddedStore again = restart(POLICY);
        assertThat(await(() -> again.mailboxes().deposit("alice", "bob", envelope("late"), clock.get()))).isEqualTo(Deposit.FULL);

        clock.addAndGet(POLICY.bindingsUnusedFor().toMillis() + 1);
        EmbeddedStore muchLater = restart(POLICY);
        assertThat(await(() -> muchLater.bindings().get("alice"))).isEmpty();
        assertThat(await(() -> muchLater.bindings().bindIfFree("alice", MALLORY_KEY, clock.get())).ownedBy(MALLORY_KEY)).isTrue();
        assertThat(await(() -> muchLater.mailboxes().count("alice"))).isZero();
    }

    @Test
    void aDepositAcceptedBeforeTheBindingExpiredIsReplayedForThatBinding() throws Exception {
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
        clock.addAndGet(POLICY.bindingsUnusedFor().toMillis() - 1_000);
        await(() -> store.mailboxes().deposit("alice", "bob", envelope("just in time"), clock.get()));
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get())); // alice comes back

        EmbeddedStore again = restart(POLICY);

        assertThat(await(() -> again.mailboxes().peek("alice", 10))).hasSize(1);
    }

    @Test
    void aJournalThatOutgrowsWhatIsLiveIsCompactedAndKeepsItsMeaning() throws Exception {
        store.close();
        store = EmbeddedStore.open(dir, POLICY, relay, clock::get, 2_048);
        reopened.add(store);
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
        long lastSequence = 0;
        for (int i = 1; i <= 300; i++) {
            int n = i;
            await(() -> store.history().append(line("#lobby", n)));
            await(() -> store.mailboxes().deposit("alice", "bob", envelope("m" + n), clock.get()));
            lastSequence = await(() -> store.mailboxes().peek("alice", 1)).get(0).sequence();
            long acknowledged = lastSequence;
            await(() -> store.mailboxes().acknowledge("alice", acknowledged));
        }

        assertThat(Files.size(journal())).isLessThan(3 * 2_048 * EmbeddedStore.COMPACT_FACTOR);
        EmbeddedStore again = restart(POLICY);
        assertThat(await(() -> again.history().recent("#lobby", 10))).extracting(HistoryLine::id)
                .containsExactly(296L, 297L, 298L, 299L, 300L);
        assertThat(await(() -> again.history().lastId("#lobby"))).isEqualTo(300);
        await(() -> again.mailboxes().deposit("alice", "bob", envelope("after"), clock.get()));
        assertThat(await(() -> again.mailboxes().peek("alice", 1)).get(0).sequence()).isGreaterThan(lastSequence);
        assertThat(Files.exists(dir.resolve(EmbeddedStore.JOURNAL + ".compacting"))).isFalse();
    }

    @Test
    void theStoreWorksOnItsOwnNamedThread() {
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));

        assertThat(names).contains(EmbeddedStore.THREAD);
    }
}
