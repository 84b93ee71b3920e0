package io.ciphergram.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ciphergram.store.Mailboxes.Deposit;

/**
 * What every {@link Store} answers, whatever keeps it: the memory store, the embedded one and the Redis one
 * each extend this class with a factory. Time is the test's ({@link #clock}); every call is made as the relay
 * makes it, from the callback executor's thread, and every stage must complete later on that thread.
 */
public abstract class StoreContract {

    /** Small bounds, so that the tests reach them: 5 lines an hour a room, 3 messages a day a mailbox. */
    protected static final StorePolicy POLICY =
            new StorePolicy(5, Duration.ofHours(1), 3, Duration.ofDays(1), Duration.ofDays(10));

    protected static final byte[] ALICE_KEY = key(1);
    protected static final byte[] MALLORY_KEY = key(2);

    protected final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    protected ExecutorService relay;
    private volatile Thread relayThread;
    protected Store store;
    private final List<Store> opened = new ArrayList<>();

    /**
     * A new, empty store of the implementation under test, completing on {@code callbacks} and measuring the
     * policy's ages against {@code millis}. Each call gives a store of its own (another directory, key prefix).
     */
    protected abstract Store open(StorePolicy policy, Executor callbacks, LongSupplier millis) throws Exception;

    @BeforeEach
    void openTheStore() throws Exception {
        relay = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "contract-relay");
            relayThread = t;
            return t;
        });
        store = openAnother(POLICY);
    }

    protected Store openAnother(StorePolicy policy) throws Exception {
        Store another = open(policy, relay, clock::get);
        opened.add(another);
        return another;
    }

    @AfterEach
    void closeTheStore() throws InterruptedException {
        opened.forEach(Store::close);
        relay.shutdown();
        assertThat(relay.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    protected static byte[] key(int seed) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) seed);
        key[0] = (byte) (seed >> 8);
        return key;
    }

    protected static byte[] envelope(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    protected static SignedPrekey prekey(int keyId, int seed) {
        byte[] publicKey = new byte[32];
        Arrays.fill(publicKey, (byte) seed);
        byte[] signature = new byte[64];
        Arrays.fill(signature, (byte) (seed + 1));
        return new SignedPrekey(keyId, publicKey, 1_700_000_000_000L + keyId, signature);
    }

    protected HistoryLine line(String room, long id) {
        return new HistoryLine(id, room, "alice", "line " + id, clock.get());
    }

    /**
     * Calls the store from the relay thread, as the relay does, and waits for the answer. The stage must not be
     * complete when the call returns (the caller's turn goes on first) and must complete on the relay thread.
     */
    protected <T> T await(Supplier<CompletionStage<T>> call) {
        try {
            return answer(call).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the stage failed", e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The failure of a stage that must fail, checked for the same thread rules as {@link #await}. */
    @SuppressWarnings("unchecked")
    protected Throwable awaitFailure(Supplier<? extends CompletionStage<?>> call) {
        try {
            Object value = answer((Supplier<CompletionStage<Object>>) call).get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected the stage to fail, it answered " + value);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Keeps the relay thread busy until the returned latch is counted down, so that a test calling from
     * another thread can chain to a stage before it can complete (it completes only on the relay thread).
     */
    protected CountDownLatch holdTheRelay() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        relay.execute(() -> {
            held.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        held.await(20, TimeUnit.SECONDS);
        return release;
    }

    private <T> CompletableFuture<T> answer(Supplier<? extends CompletionStage<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        relay.execute(() -> {
            CompletionStage<T> stage = call.get();
            if (stage.toCompletableFuture().isDone()) {
                result.completeExceptionally(new AssertionError("the stage completed during the caller's turn"));
                return;
            }
            stage.whenComplete((value, failure) -> checkThread(result, value, failure));
        });
        return result;
    }

    private <T> void checkThread(CompletableFuture<T> result, T value, Throwable failure) {
        if (Thread.currentThread() != relayThread) {
            result.completeExceptionally(new AssertionError("completed on " + Thread.currentThread().getName()
                    + ", not on the callback executor"));
        } else if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(value);
        }
    }

    // ---------------------------------------------------------------- name bindings

    @Test
    void bindIfFreeBindsAFreeNameToTheKeyThatAsked() {
        NameBinding bound = await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));

        assertThat(bound.ownedBy(ALICE_KEY)).isTrue();
        assertThat(bound.name()).isEqualTo("alice");
        assertThat(bound.boundAtMillis()).isEqualTo(clock.get());
        assertThat(bound.lastUsedMillis()).isEqualTo(clock.get());
        assertThat(bound.prekey()).isNull();
        assertThat(await(() -> store.bindings().get("alice"))).contains(bound);
        assertThat(await(() -> store.bindings().get("bob"))).isEmpty();
    }

    @Test
    void aBoundNameStaysWithItsOwnerWhenAnotherIdentityAsks() {
        NameBinding alices = await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
        clock.addAndGet(60_000);

        NameBinding answer = await(() -> store.bindings().bindIfFree("alice", MALLORY_KEY, clock.get()));

        assertThat(answer).isEqualTo(alices); // not even marked used: mallory did not use it
        assertThat(answer.ownedBy(MALLORY_KEY)).isFalse();
        assertThat(await(() -> store.bindings().get("alice"))).contains(alices);
    }

    @Test
    void theOwnerAskingAgainMarksTheBindingUsed() {
        long boundAt = clock.get();
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, boundAt));
        long later = clock.addAndGet(3_600_000);

        NameBinding again = await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, later));

        assertThat(again.boundAtMillis()).isEqualTo(boundAt);
        assertThat(again.lastUsedMillis()).isEqualTo(later);
        assertThat(await(() -> store.bindings().get("alice")).orElseThrow().lastUsedMillis()).isEqualTo(later);
    }

    @Test
    void namesAreKeyedByTheirCanonicalFormAndKeepTheirFirstSpelling() {
        await(() -> store.bindings().bindIfFree("Alice", ALICE_KEY, clock.get()));

        NameBinding answer = await(() -> store.bindings().bindIfFree("ALICE", MALLORY_KEY, clock.get()));

        assertThat(answer.ownedBy(ALICE_KEY)).isTrue();
        assertThat(answer.name()).isEqualTo("Alice");
        assertThat(await(() -> store.bindings().get("alice"))).isPresent();
        assertThat(await(() -> store.bindings().count())).isEqualTo(1);
    }

    @Test
    void twoIdentitiesAskingForOneFreeNameAtOnceFromTwoThreadsEndWithOneOwner() throws Exception {
        ExecutorService twoThreads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 40; round++) {
                String name = "contested" + round;
                CyclicBarrier together = new CyclicBarrier(2);
                CountDownLatch asked = new CountDownLatch(2);
                CountDownLatch relayHeld = holdTheRelay();
                List<Future<NameBinding>> answers = new ArrayList<>();
                for (byte[] key : List.of(ALICE_KEY, MALLORY_KEY)) {
                    answers.add(twoThreads.submit(() -> {
                        together.await();
                        AtomicReference<Thread> completedOn = new AtomicReference<>();
                        CompletableFuture<NameBinding> answer = store.bindings().bindIfFree(name, key, clock.get())
                                .whenComplete((b, e) -> completedOn.set(Thread.currentThread()))
                                .toCompletableFuture();
                        asked.countDown();
                        NameBinding binding = answer.get(20, TimeUnit.SECONDS);
                        assertThat(completedOn.get()).isSameAs(relayThread);
                        return binding;
                    }));
                }
                assertThat(asked.await(20, TimeUnit.SECONDS)).isTrue();
                relayHeld.countDown();
                NameBinding first = answers.get(0).get(30, TimeUnit.SECONDS);
                NameBinding second = answers.get(1).get(30, TimeUnit.SECONDS);

                assertThat(first.identityKey()).as(name).isEqualTo(second.identityKey());
                assertThat(await(() -> store.bindings().get(name)).orElseThrow().identityKey())
                        .isEqualTo(first.identityKey());
            }
        } finally {
            twoThreads.shutdownNow();
        }
    }

    @Test
    void aKeyThatIsNotAnEd25519PublicKeyFailsItsOwnStageOnly() {
        Throwable failure = awaitFailure(() -> store.bindings().bindIfFree("alice", new byte[31], clock.get()));

        assertThat(failure).isInstanceOf(IllegalArgumentException.class);
        assertThat(await(() -> store.bindings().bindIfFree("bob", ALICE_KEY, clock.get())).ownedBy(ALICE_KEY)).isTrue();
        assertThat(await(() -> store.bindings().get("alice"))).isEmpty();
    }

    @Test
    void publishPrekeyRecordsTheKeyOnlyForTheOwner() {
        SignedPrekey prekey = prekey(1, 7);
        assertThat(await(() -> store.bindings().publishPrekey("alice", ALICE_KEY, prekey))).isFalse();
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));

        assertThat(await(() -> store.bindings().publishPrekey("alice", MALLORY_KEY, prekey(9, 9)))).isFalse();
        assertThat(await(() -> store.bindings().get("alice")).orElseThrow().prekey()).isNull();
        assertThat(await(() -> store.bindings().publishPrekey("Alice", ALICE_KEY, prekey))).isTrue();
        assertThat(await(() -> store.bindings().get("alice")).orElseThrow().prekey()).isEqualTo(prekey);
    }

    @Test
    void publishPrekeyKeepsOnlyNewerKeyIds() {
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
        assertThat(await(() -> store.bindings().publishPrekey("alice", ALICE_KEY, prekey(5, 5)))).isTrue();

        assertThat(await(() -> store.bindings().publishPrekey("alice", ALICE_KEY, prekey(4, 4)))).isFalse();
        assertThat(await(() -> store.bindings().publishPrekey("alice", ALICE_KEY, prekey(5, 6)))).isFalse();
        assertThat(await(() -> store.bindings().get("alice")).orElseThrow().prekey()).isEqualTo(prekey(5, 5));
        assertThat(await(() -> store.bindings().publishPrekey("alice", ALICE_KEY, prekey(5, 5)))).isTrue();
        assertThat(await(() -> store.bindings().publishPrekey("alice", ALICE_KEY, prekey(6, 6)))).isTrue();
        assertThat(await(() -> store.bindings().get("alice")).orElseThrow().prekey()).isEqualTo(prekey(6, 6));
    }

    @Test
    void listPagesThroughBindingsSortedByCanonicalName() {
        for (String name : List.of("carol", "Bob", "alice", "dave")) {
            await(() -> store.bindings().bindIfFree(name, key(name.length()), clock.get()));
        }

        assertThat(await(() -> store.bindings().list(0, 10))).extracting(NameBinding::name)
                .containsExactly("alice", "Bob", "carol", "dave");
        assertThat(await(() -> store.bindings().list(1, 2))).extracting(NameBinding::name).containsExactly("Bob", "carol");
        assertThat(await(() -> store.bindings().list(4, 2))).isEmpty();
        assertThat(await(() -> store.bindings().count())).isEqualTo(4);
        assertThat(awaitFailure(() -> store.bindings().list(-1, 2))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void releaseFreesTheNameAndTakesItsMailbox() {
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
        assertThat(await(() -> store.mailboxes().deposit("alice", "bob", envelope("sealed"), clock.get())))
                .isEqualTo(Deposit.STORED);

        assertThat(await(() -> store.bindings().release("ALICE"))).isTrue();

        assertThat(await(() -> store.bindings().get("alice"))).isEmpty();
        assertThat(await(() -> store.mailboxes().count("alice"))).isZero();
        assertThat(await(() -> store.bindings().release("alice"))).isFalse();
        NameBinding newOwner = await(() -> store.bindings().bindIfFree("alice", MALLORY_KEY, clock.get()));
        assertThat(newOwner.ownedBy(MALLORY_KEY)).isTrue();
        assertThat(await(() -> store.mailboxes().peek("alice", 10))).isEmpty(); // alice's mail is not mallory's
    }

    @Test
    void expireUnusedSinceReleasesOldBindingsWithTheirMailboxes() {
        long early = clock.get();
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, early));
        await(() -> store.bindings().bindIfFree("bob", key(3), early));
        await(() -> store.mailboxes().deposit("alice", "bob", envelope("sealed"), early));
        long later = clock.addAndGet(1_000);
        await(() -> store.bindings().bindIfFree("bob", key(3), later));

        assertThat(await(() -> store.bindings().expireUnusedSince(later))).isEqualTo(1);

        assertThat(await(() -> store.bindings().get("alice"))).isEmpty();
        assertThat(await(() -> store.bindings().get("bob"))).isPresent();
        assertThat(await(() -> store.mailboxes().count("alice"))).isZero();
        assertThat(await(() -> store.bindings().expireUnusedSince(later))).isZero();
    }

    @Test
    void aBindingUnusedForLongerThanThePolicyIsFree() {
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
        await(() -> store.mailboxes().deposit("alice", "bob", envelope("sealed"), clock.get()));
        clock.addAndGet(POLICY.bindingsUnusedFor().toMillis() + 1);

        assertThat(await(() -> store.bindings().get("alice"))).isEmpty();
        assertThat(await(() -> store.bindings().count())).isZero();
        assertThat(await(() -> store.bindings().list(0, 10))).isEmpty();
        assertThat(await(() -> store.mailboxes().deposit("alice", "bob", envelope("x"), clock.get())))
                .isEqualTo(Deposit.UNBOUND);
        NameBinding taken = await(() -> store.bindings().bindIfFree("alice", MALLORY_KEY, clock.get()));
        assertThat(taken.ownedBy(MALLORY_KEY)).isTrue();
        assertThat(await(() -> store.mailboxes().count("alice"))).isZero();
    }

    // ---------------------------------------------------------------- mailboxes

    private void bindAlice() {
        await(() -> store.bindings().bindIfFree("alice", ALICE_KEY, clock.get()));
    }

    @Test
    void aMailboxGivesItsMessagesBackInOrderExactlyAsDeposited() {
        bindAlice();
        long first = clock.get();
        await(() -> store.mailboxes().deposit("alice", "bob", envelope("one"), first));
        long second = clock.addAndGet(5);
        await(() -> store.mailboxes().deposit("Alice", "carol", envelope("two"), second));

        List<StoredMessage> messages = await(() -> store.mailboxes().peek("alice", 10));

        assertThat(messages).extracting(m -> new String(m.envelope(), StandardCharsets.UTF_8)).containsExactly("one", "two");
        assertThat(messages).extracting(StoredMessage::sender).containsExactly("bob", "carol");
        assertThat(messages).extracting(StoredMessage::recipient).containsOnly("alice");
        assertThat(messages).extracting(StoredMessage::storedAtMillis).containsExactly(first, second);
        assertThat(messages.get(1).sequence()).isGreaterThan(messages.get(0).sequence());
        assertThat(await(() -> store.mailboxes().peek("alice", 1))).hasSize(1);
        assertThat(await(() -> store.mailboxes().count("alice"))).isEqualTo(2); // peeking takes nothing
    }

    @Test
    void theLargestEnvelopeComesBackWholeAndUnchanged() {
        bindAlice();
        byte[] largest = new byte[64 * 1024];
        for (int i = 0; i < largest.length; i++) {
            largest[i] = (byte) (i * 31 + 7);
        }

        assertThat(await(() -> store.mailboxes().deposit("alice", "bob", largest, clock.get()))).isEqualTo(Deposit.STORED);

        assertThat(await(() -> store.mailboxes().peek("alice", 1)).get(0).envelope()).isEqualTo(largest);
    }

    @Test
    void aDepositForANameThatIsNotBoundIsRefused() {
        assertThat(await(() -> store.mailboxes().deposit("nobody", "bob", envelope("x"), clock.get())))
                .isEqualTo(Deposit.UNBOUND);

        assertThat(await(() -> store.mailboxes().count("nobody"))).isZero();
        assertThat(await(() -> store.mailboxes().peek("nobody", 10))).isEmpty();
    }

    @Test
    void aFullMailboxRefusesTheNextDepositAndKeepsTheOlderMessages() {
        bindAlice();
        for (int i = 0; i < POLICY.mailboxMessages(); i++) {
            int n = i;
            assertThat(await(() -> store.mailboxes().deposit("alice", "mallory", envelope("m" + n), clock.get())))
                    .isEqualTo(Deposit.STORED);
        }

        assertThat(await(() -> store.mailboxes().deposit("alice", "bob", envelope("late"), clock.get())))
                .isEqualTo(Deposit.FULL);

        List<StoredMessage> kept = await(() -> store.mailboxes().peek("alice", 10));
        assertThat(kept).extracting(m -> new String(m.envelope(), StandardCharsets.UTF_8)).containsExactly("m0", "m1", "m2");
        await(() -> store.mailboxes().acknowledge("alice", kept.get(0).sequence()));
        assertThat(await(() -> store.mailboxes().deposit("alice", "bob", envelope("late"), clock.get())))
                .isEqualTo(Deposit.STORED);
    }

    @Test
    void acknowledgeRemovesUpToAndIncludingTheSequenceAndAStaleOneNothingMore() {
        bindAlice();
        for (String text : List.of("one", "two", "three")) {
            await(() -> store.mailboxes().deposit("alice", "bob", envelope(text), clock.get()));
        }
        List<StoredMessage> before = await(() -> store.mailboxes().peek("alice", 10));

        await(() -> store.mailboxes().acknowledge("ALICE", before.get(1).sequence()));
        assertThat(await(() -> store.mailboxes().peek("alice", 10))).containsExactly(before.get(2));

        await(() -> store.mailboxes().acknowledge("alice", before.get(0).sequence())); // a replayed, older ack
        assertThat(await(() -> store.mailboxes().peek("alice", 10))).containsExactly(before.get(2));
        await(() -> store.mailboxes().acknowledge("nobody", Long.MAX_VALUE));
        assertThat(await(() -> store.mailboxes().count("alice"))).isEqualTo(1);
    }

    @Test
    void sequencesNeverComeBackAfterEverythingWasAcknowledged() {
        bindAlice();
        await(() -> store.mailboxes().deposit("alice", "bob", envelope("one"), clock.get()));
        long first = await(() -> store.mailboxes().peek("alice", 1)).get(0).sequence();
        await(() -> store.mailboxes().acknowledge("alice", first));

        await(() -> store.mailboxes().deposit("alice", "bob", envelope("two"), clock.get()));
        StoredMessage second = await(() -> store.mailboxes().peek("alice", 1)).get(0);

        // an acknowledgement of the first, repeated late, must not take the second
        assertThat(second.sequence()).isGreaterThan(first);
        await(() -> store.mailboxes().acknowledge("alice", first));
        assertThat(await(() -> store.mailboxes().count("alice"))).isEqualTo(1);
    }

    @Test
    void expireOlderThanDropsOldMessagesInEveryMailbox() {
        bindAlice();
        await(() -> store.bindings().bindIfFree("bob", key(3), clock.get()));
        long old = clock.get();
        await(() -> store.mailboxes().deposit("alice", "carol", envelope("old"), old));
        await(() -> store.mailboxes().deposit("bob", "carol", envelope("old"), old));
        long recent = clock.addAndGet(1_000);
        await(() -> store.mailboxes().deposit("alice", "carol", envelope("new"), recent));

        assertThat(await(() -> store.mailboxes().expireOlderThan(recent))).isEqualTo(2);

        assertThat(await(() -> store.mailboxes().peek("alice", 10)))
                .extracting(m -> new String(m.envelope(), StandardCharsets.UTF_8)).containsExactly("new");
        assertThat(await(() -> store.mailboxes().count("bob"))).isZero();
    }

    @Test
    void messagesOlderThanThePolicyAreNotAnsweredAndLeaveRoomForNewOnes() {
        bindAlice();
        for (int i = 0; i < POLICY.mailboxMessages(); i++) {
            await(() -> store.mailboxes().deposit("alice", "bob", envelope("old"), clock.get()));
        }
        clock.addAndGet(POLICY.mailboxAge().toMillis() + 1);
        bindAlice(); // still used, so still bound

        assertThat(await(() -> store.mailboxes().count("alice"))).isZero();
        assertThat(await(() -> store.mailboxes().peek("alice", 10))).isEmpty();
        assertThat(await(() -> store.mailboxes().deposit("alice", "bob", envelope("new"), clock.get())))
                .isEqualTo(Deposit.STORED);
    }

    // ---------------------------------------------------------------- room history

    @Test
    void recentGivesTheNewestLinesOldestFirst() {
        for (long id = 1; id <= 4; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
        }

        assertThat(await(() -> store.history().recent("#lobby", 2))).extracting(HistoryLine::id).containsExactly(3L, 4L);
        assertThat(await(() -> store.history().recent("#lobby", 50))).extracting(HistoryLine::id)
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(await(() -> store.history().recent("#lobby", 0))).isEmpty();
        assertThat(await(() -> store.history().recent("#empty", 50))).isEmpty();
        HistoryLine kept = await(() -> store.history().recent("#lobby", 1)).get(0);
        assertThat(kept).isEqualTo(new HistoryLine(4, "#lobby", "alice", "line 4", clock.get()));
    }

    @Test
    void afterGivesOnlyTheLinesAfterTheCursorTheNewestOfThemOldestFirst() {
        for (long id = 1; id <= 5; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
        }

        assertThat(await(() -> store.history().after("#lobby", 2, 10))).extracting(HistoryLine::id)
                .containsExactly(3L, 4L, 5L);
        assertThat(await(() -> store.history().after("#lobby", 1, 2))).extracting(HistoryLine::id)
                .containsExactly(4L, 5L);
        assertThat(await(() -> store.history().after("#lobby", 5, 10))).isEmpty();
        assertThat(await(() -> store.history().after("#lobby", 0, 10))).hasSize(5);
    }

    @Test
    void catchingUpFromTheLastLineReceivedNeverGivesALineTwice() {
        List<Long> received = new ArrayList<>();
        long cursor = 0;
        for (long id = 1; id <= 12; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
            if (id % 3 == 0) { // a client that reconnects every third line
                long from = cursor;
                for (HistoryLine missed : await(() -> store.history().after("#lobby", from, 50))) {
                    received.add(missed.id());
                    cursor = missed.id();
                }
            }
        }

        assertThat(received).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
    }

    @Test
    void aLineWhoseIdIsNotGreaterThanEveryIdAppendedIsIgnored() {
        await(() -> store.history().append(line("#lobby", 5)));
        await(() -> store.history().append(new HistoryLine(5, "#lobby", "mallory", "replaced", clock.get())));
        await(() -> store.history().append(line("#lobby", 3)));

        assertThat(await(() -> store.history().recent("#lobby", 10))).containsExactly(line("#lobby", 5));
    }

    @Test
    void aRoomKeepsAtMostThePolicysLines() {
        for (long id = 1; id <= 8; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
        }

        assertThat(await(() -> store.history().recent("#lobby", 100))).extracting(HistoryLine::id)
                .containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(await(() -> store.history().after("#lobby", 0, 100))).hasSize(POLICY.historyLines());
        assertThat(await(() -> store.history().lastId("#lobby"))).isEqualTo(8);
    }

    @Test
    void linesOlderThanThePolicyAreNotAnswered() {
        await(() -> store.history().append(line("#lobby", 1)));
        clock.addAndGet(POLICY.historyAge().toMillis() / 2);
        await(() -> store.history().append(line("#lobby", 2)));
        clock.addAndGet(POLICY.historyAge().toMillis() / 2 + 1);

        assertThat(await(() -> store.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(2L);
        assertThat(await(() -> store.history().after("#lobby", 0, 10))).extracting(HistoryLine::id).containsExactly(2L);
        clock.addAndGet(POLICY.historyAge().toMillis());
        assertThat(await(() -> store.history().recent("#lobby", 10))).isEmpty();
        assertThat(await(() -> store.history().rooms())).isEmpty();
        assertThat(await(() -> store.history().lastId("#lobby"))).isEqualTo(2);
    }

    @Test
    void expireOlderThanDropsOldLinesInEveryRoom() {
        long old = clock.get();
        await(() -> store.history().append(line("#lobby", 1)));
        await(() -> store.history().append(line("#dev", 1)));
        clock.addAndGet(1_000);
        await(() -> store.history().append(line("#lobby", 2)));

        assertThat(await(() -> store.history().expireOlderThan(old + 1))).isEqualTo(2);

        assertThat(await(() -> store.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(2L);
        assertThat(await(() -> store.history().rooms())).containsExactly("#lobby");
    }

    @Test
    void purgeForgetsTheRoomsLinesButNotItsNumbering() {
        for (long id = 1; id <= 3; id++) {
            long n = id;
            await(() -> store.history().append(line("#lobby", n)));
        }
        await(() -> store.history().append(line("#dev", 1)));

        assertThat(await(() -> store.history().purge("#Lobby"))).isEqualTo(3);

        assertThat(await(() -> store.history().recent("#lobby", 10))).isEmpty();
        assertThat(await(() -> store.history().rooms())).containsExactly("#dev");
        assertThat(await(() -> store.history().lastId("#lobby"))).isEqualTo(3);
        await(() -> store.history().append(line("#lobby", 2))); // an old id: ignored, ids never repeat
        await(() -> store.history().append(line("#lobby", 4)));
        assertThat(await(() -> store.history().recent("#lobby", 10))).extracting(HistoryLine::id).containsExactly(4L);
        assertThat(await(() -> store.history().purge("#nothing"))).isZero();
    }

    @Test
    void lastIdIsTheGreatestIdAppendedOrZero() {
        assertThat(await(() -> store.history().lastId("#lobby"))).isZero();
        await(() -> store.history().append(line("#lobby", 41)));
        await(() -> store.history().append(line("#lobby", 42)));

        assertThat(await(() -> store.history().lastId("#lobby"))).isEqualTo(42);
        assertThat(await(() -> store.history().lastId("#dev"))).isZero();
    }

    @Test
    void roomsAreKeyedByTheirCanonicalNameAndListedSorted() {
        await(() -> store.history().append(line("#Dev", 1)));
        await(() -> store.history().append(line("#lobby", 1)));
        await(() -> store.history().append(line("#books", 1)));

        assertThat(await(() -> store.history().rooms())).containsExactly("#books", "#dev", "#lobby");
        assertThat(await(() -> store.history().recent("#DEV", 1)).get(0).room()).isEqualTo("#dev");
        assertThat(await(() -> store.history().lastId("#dev"))).isEqualTo(1);
    }

    @Test
    void aPolicyOfNoLinesKeepsNoneButStillNumbers() throws Exception {
        Store none = openAnother(new StorePolicy(0, Duration.ofHours(1), 3, Duration.ofDays(1), Duration.ofDays(10)));

        await(() -> none.history().append(line("#lobby", 1)));

        assertThat(await(() -> none.history().recent("#lobby", 10))).isEmpty();
        assertThat(await(() -> none.history().rooms())).isEmpty();
        assertThat(await(() -> none.history().lastId("#lobby"))).isEqualTo(1);
    }

    // ---------------------------------------------------------------- the store

    @Test
    void aClosedStoreFailsWhatItIsAskedOnTheCallbackExecutor() {
        store.close();

        Throwable failure = awaitFailure(() -> store.bindings().get("alice"));

        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(awaitFailure(() -> store.history().append(line("#lobby", 1)))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void stagesCalledFromAnotherThreadAlsoCompleteOnTheCallbackExecutor() throws Exception {
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        CountDownLatch relayHeld = holdTheRelay();

        CompletableFuture<Optional<NameBinding>> stage = store.bindings().get("alice")
                .whenComplete((b, e) -> completedOn.set(Thread.currentThread())).toCompletableFuture();
        relayHeld.countDown();
        Optional<NameBinding> answer = stage.get(20, TimeUnit.SECONDS);

        assertThat(answer).isEmpty();
        assertThat(completedOn.get()).isSameAs(relayThread);
    }
}
