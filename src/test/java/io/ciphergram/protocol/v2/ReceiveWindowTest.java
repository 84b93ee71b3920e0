package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.v2.ReceiveWindow.Outcome;
import io.ciphergram.protocol.v2.ReliableFrame.Ack;
import io.ciphergram.protocol.v2.ReliableFrame.AckRange;
import io.ciphergram.protocol.v2.ReliableFrame.Data;

class ReceiveWindowTest {

    private static final long MS = 1_000_000L;
    private static final long DELAY = 25 * MS;

    private final CountingEvents seen = new CountingEvents();
    private final ReceiveWindow window = new ReceiveWindow(16, 4, DELAY, 2, seen);

    private static Data data(long sequence) {
        return new Data(sequence, sequence, 0, 1, new byte[] {(byte) sequence});
    }

    private static List<Long> sequences(ReceiveWindow.Receipt receipt) {
        return receipt.released().stream().map(Data::sequence).toList();
    }

    @Test
    void inOrderFragmentIsReleasedAtOnce() {
        ReceiveWindow.Receipt receipt = window.receive(data(0), 0);

        assertThat(receipt.outcome()).isEqualTo(Outcome.IN_ORDER);
        assertThat(sequences(receipt)).containsExactly(0L);
        assertThat(window.cumulative()).isEqualTo(1);
    }

    @Test
    void earlyFragmentsWaitForTheGapAndThenComeOutInOrder() {
        assertThat(window.receive(data(2), 0).outcome()).isEqualTo(Outcome.OUT_OF_ORDER);
        assertThat(window.receive(data(1), 0).released()).isEmpty();

        ReceiveWindow.Receipt receipt = window.receive(data(0), 0);

        assertThat(sequences(receipt)).containsExactly(0L, 1L, 2L);
        assertThat(window.bufferedCount()).isZero();
    }

    @Test
    void eachSequenceIsReleasedExactlyOnce() {
        window.receive(data(0), 0);
        window.receive(data(2), 0);

        assertThat(window.receive(data(0), 0).outcome()).as("already released").isEqualTo(Outcome.DUPLICATE);
        assertThat(window.receive(data(2), 0).outcome()).as("already buffered").isEqualTo(Outcome.DUPLICATE);
        assertThat(sequences(window.receive(data(1), 0))).containsExactly(1L, 2L);
        assertThat(window.receive(data(1), 0).released()).isEmpty();
        assertThat(seen.count(ReliableEvents.Event.DUPLICATE)).isEqualTo(3);
    }

    @Test
    void fragmentBeyondTheWindowIsDroppedNotBuffered() {
        assertThat(window.receive(data(16), 0).outcome()).isEqualTo(Outcome.BEYOND_WINDOW);
        assertThat(window.receive(data(15), 0).outcome()).isEqualTo(Outcome.OUT_OF_ORDER);

        assertThat(window.bufferedCount()).isEqualTo(1);
        assertThat(seen.count(ReliableEvents.Event.BEYOND_WINDOW)).isEqualTo(1);
    }

    @Test
    void theAckOfAFilledGapIsSentAtOnceAndOnceMoreAfterTheDelay() {
        window.receive(data(1), 0);
        window.pollAck(0);
        window.receive(data(0), 5 * MS);

        assertThat(window.pollAck(5 * MS)).contains(new ReliableFrame.Ack(2, List.of()));
        assertThat(window.ackDueAtNanos()).as("repeated, should the first be lost").isEqualTo(5 * MS + DELAY);
        assertThat(window.pollAck(5 * MS + DELAY)).contains(new ReliableFrame.Ack(2, List.of()));
        assertThat(window.ackDueAtNanos()).as("once").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theProductAcksEveryEighthInOrderFragment() {
        ReceiveWindow product = new ReceiveWindow();
        for (long s = 0; s < 7; s++) {
            product.receive(data(s), s);
        }
        assertThat(product.pollAck(6)).as("seven wait for the delay").isEmpty();
        product.receive(data(7), 7);
        assertThat(product.pollAck(7)).contains(new ReliableFrame.Ack(8, List.of()));
    }

    @Test
    void singleInOrderFragmentIsAckedAfterTheDelayedAckTime() {
        window.receive(data(0), 10 * MS);

        assertThat(window.ackDueAtNanos()).isEqualTo(10 * MS + DELAY);
        assertThat(window.pollAck(10 * MS + DELAY - 1)).isEmpty();
        assertThat(window.pollAck(10 * MS + DELAY)).hasValue(new Ack(1, List.of()));
        assertThat(window.ackDueAtNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(window.pollAck(Long.MAX_VALUE - 1)).as("one ack per due").isEmpty();
    }

    @Test
    void everySecondInOrderFragmentIsAckedAtOnce() {
        window.receive(data(0), 0);
        window.receive(data(1), 1 * MS);

        assertThat(window.pollAck(1 * MS)).hasValue(new Ack(2, List.of()));
    }

    @Test
    void outOfOrderFragmentIsAckedAtOnceWithASelectiveRange() {
        window.receive(data(0), 0);

        window.receive(data(2), 1 * MS);

        assertThat(window.pollAck(1 * MS)).hasValue(new Ack(1, List.of(new AckRange(2, 2))));
    }

    @Test
    void duplicateIsAckedAtOnceBecauseTheEarlierAckMayHaveBeenLost() {
        window.receive(data(0), 0);
        window.receive(data(1), 0);
        window.pollAck(0);

        window.receive(data(1), 50 * MS);

        assertThat(window.pollAck(50 * MS)).hasValue(new Ack(2, List.of()));
    }

    @Test
    void fragmentFillingAGapIsAckedAtOnce() {
        window.receive(data(1), 0);
        window.pollAck(0);

        window.receive(data(0), 5 * MS);

        assertThat(window.pollAck(5 * MS)).hasValue(new Ack(2, List.of()));
    }

    @Test
    void ackDescribesBufferedRunsAsCompactRanges() {
        for (long s : new long[] {2, 3, 4, 6, 9, 10}) {
            window.receive(data(s), 0);
        }

        assertThat(window.currentAck()).isEqualTo(new Ack(0,
                List.of(new AckRange(2, 4), new AckRange(6, 6), new AckRange(9, 10))));
    }

    @Test
    void ackKeepsTheLowestRangesWhenThereAreTooManyToSend() {
        for (long s = 1; s < 16; s += 2) {
            window.receive(data(s), 0); // 8 separate ranges, at most 4 sent
        }

        assertThat(window.currentAck().ranges()).containsExactly(new AckRange(1, 1), new AckRange(3, 3),
                new AckRange(5, 5), new AckRange(7, 7));
    }

    @Test
    void defaultAckAlwaysFitsAWholeWindowOfAlternatingGaps() {
        ReceiveWindow full = new ReceiveWindow();
        for (long s = 1; s < V2Constants.RECEIVE_WINDOW; s += 2) {
            full.receive(data(s), 0);
        }

        Ack ack = full.currentAck();

        assertThat(ack.ranges()).hasSize(V2Constants.RECEIVE_WINDOW / 2);
        assertThat(ReliableCodec.encode(ack).length).isLessThan(V2Constants.MAX_RELIABLE_FRAME);
    }
}
