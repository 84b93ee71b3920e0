package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.v2.Reassembler.Outcome;

class ReassemblerTest {

    private final CountingEvents seen = new CountingEvents();

    /** Small sizes so bounds are easy to reach: 4-byte fragments, 16-byte messages, 32 bytes held. */
    private Reassembler small() {
        return new Reassembler(4, 16, 32, 3, seen);
    }

    private static Fragment frag(long id, int index, int count, int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) (id * 16 + index));
        return new Fragment(id, index, count, payload);
    }

    @Test
    void singleFragmentMessageCompletesAtOnce() {
        Reassembler.Result result = new Reassembler().accept(new Fragment(5, 0, 1, "hi".getBytes()));

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.message()).hasValueSatisfying(m -> assertThat(m).isEqualTo("hi".getBytes()));
    }

    @Test
    void fragmentsInAnyOrderReassembleTheOriginalMessage() {
        byte[] message = new byte[V2Constants.MAX_MESSAGE];
        new Random(7).nextBytes(message);
        List<Fragment> fragments = new ArrayList<>(new Fragmenter().split(message));
        Collections.shuffle(fragments, new Random(7));
        Reassembler reassembler = new Reassembler();

        List<Reassembler.Result> results = new ArrayList<>();
        fragments.forEach(f -> results.add(reassembler.accept(f)));

        assertThat(results.subList(0, results.size() - 1)).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.STORED));
        assertThat(results.get(results.size() - 1).message()).hasValueSatisfying(m -> assertThat(m).isEqualTo(message));
        assertThat(reassembler.heldBytes()).isZero();
        assertThat(reassembler.incompleteMessages()).isZero();
    }

    @Test
    void duplicateFragmentChangesNothing() {
        Reassembler reassembler = small();
        reassembler.accept(frag(1, 0, 2, 4));

        Reassembler.Result again = reassembler.accept(frag(1, 0, 2, 4));

        assertThat(again.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(reassembler.heldBytes()).isEqualTo(4);
        assertThat(reassembler.accept(frag(1, 1, 2, 1)).message()).hasValueSatisfying(m -> assertThat(m).hasSize(5));
    }

    @Test
    void fragmentDisagreeingOnTheCountIsRejectedAndCounted() {
        Reassembler reassembler = small();
        reassembler.accept(frag(1, 0, 3, 4));

        assertThat(reassembler.accept(frag(1, 1, 2, 4)).outcome()).isEqualTo(Outcome.REJECTED_INCONSISTENT_COUNT);
        assertThat(reassembler.accept(frag(1, 0, 1, 4)).outcome()).as("a lone fragment claiming the same id")
                .isEqualTo(Outcome.REJECTED_INCONSISTENT_COUNT);
        assertThat(seen.count(ReliableEvents.Event.FRAGMENT_REJECTED)).isEqualTo(2);
        assertThat(reassembler.accept(frag(1, 1, 3, 4)).outcome()).as("the original message still assembles")
                .isEqualTo(Outcome.STORED);
    }

    @Test
    void shortFragmentBeforeTheLastIsRejected() {
        Reassembler reassembler = small();

        assertThat(reassembler.accept(frag(1, 0, 2, 3)).outcome()).isEqualTo(Outcome.REJECTED_BAD_SIZE);
        assertThat(reassembler.accept(frag(1, 1, 2, 0)).outcome()).as("empty last fragment of a multi-fragment message")
                .isEqualTo(Outcome.REJECTED_BAD_SIZE);
        assertThat(reassembler.accept(frag(1, 1, 2, 5)).outcome()).as("oversized last fragment")
                .isEqualTo(Outcome.REJECTED_BAD_SIZE);
        assertThat(reassembler.heldBytes()).isZero();
    }

    @Test
    void messageThatWouldExceedTheMaximumSizeIsRejectedFromItsFirstFragment() {
        Reassembler reassembler = small(); // 16-byte messages: at most 4 fragments of 4

        assertThat(reassembler.accept(frag(1, 0, 5, 4)).outcome()).isEqualTo(Outcome.REJECTED_BAD_SIZE);
        assertThat(reassembler.incompleteMessages()).isZero();
    }

    @Test
    void incompleteMessagesOverTheByteBoundEvictTheOldestAndCountIt() {
        Reassembler reassembler = small(); // 32 bytes held at most
        reassembler.accept(frag(1, 0, 4, 4));
        reassembler.accept(frag(1, 1, 4, 4));
        reassembler.accept(frag(1, 2, 4, 4));
        reassembler.accept(frag(2, 0, 4, 4));
        reassembler.accept(frag(2, 1, 4, 4));
        reassembler.accept(frag(2, 2, 4, 4));
        assertThat(reassembler.heldBytes()).isEqualTo(24);

        reassembler.accept(frag(3, 0, 4, 4));
        reassembler.accept(frag(3, 1, 4, 4));
        assertThat(reassembler.heldBytes()).isEqualTo(32);
        reassembler.accept(frag(3, 2, 4, 4));

        assertThat(seen.count(ReliableEvents.Event.MESSAGE_EVICTED)).isEqualTo(1);
        assertThat(reassembler.heldBytes()).isLessThanOrEqualTo(32);
        assertThat(reassembler.accept(frag(1, 3, 4, 4)).outcome()).as("message 1 was evicted and starts over")
                .isEqualTo(Outcome.STORED);
        assertThat(reassembler.accept(frag(3, 3, 4, 4)).outcome()).as("the message being added to survives")
                .isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void tooManyIncompleteMessagesEvictTheOldest() {
        Reassembler reassembler = small(); // at most 3 incomplete
        for (long id = 1; id <= 4; id++) {
            reassembler.accept(frag(id, 0, 2, 4));
        }

        assertThat(reassembler.incompleteMessages()).isEqualTo(3);
        assertThat(seen.count(ReliableEvents.Event.MESSAGE_EVICTED)).isEqualTo(1);
        assertThat(reassembler.accept(frag(4, 1, 2, 1)).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void heldBytesNeverExceedTheBoundUnderAFloodOfInterleavedMessages() {
        Reassembler reassembler = new Reassembler(seen);
        Random random = new Random(3);

        for (int i = 0; i < 10_000; i++) {
            int count = 2 + random.nextInt(V2Constants.MAX_FRAGMENTS - 1);
            int index = random.nextInt(count - 1); // never the last: nothing completes
            reassembler.accept(new Fragment(random.nextInt(1000), index, count,
                    new byte[V2Constants.MAX_FRAGMENT_PAYLOAD]));
            assertThat(reassembler.heldBytes()).isLessThanOrEqualTo(V2Constants.MAX_REASSEMBLY_BYTES);
            assertThat(reassembler.incompleteMessages()).isLessThanOrEqualTo(V2Constants.MAX_INCOMPLETE_MESSAGES);
        }
        assertThat(seen.count(ReliableEvents.Event.MESSAGE_EVICTED)).isPositive();
    }
}
