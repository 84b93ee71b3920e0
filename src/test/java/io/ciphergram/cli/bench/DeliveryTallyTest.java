package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class DeliveryTallyTest {

    private static final int CLIENTS = 3;

    private final BenchText format = new BenchText("tally1");
    private final MeasureWindow window = new MeasureWindow();
    private final LongAdder seen = new LongAdder();
    private final LongAdder measured = new LongAdder();
    private final DeliveryTally tally = new DeliveryTally(format, window, CLIENTS, CLIENTS, seen, measured);

    /** Message {@code seq}, sent by client seq mod 3 at time {@code sent}, as the relay delivers it. */
    private byte[] relayed(long seq, long sent) {
        return ("btally1-x: " + new String(format.format((int) (seq % CLIENTS), seq, sent, 50), StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void eachMessageCountsOnceAtEachRecipientWithItsLatency() {
        window.open(100);
        assertThat(tally.accept(1, relayed(100, 1_000), 51_000)).isTrue(); // from client 1 to 1: its own
        assertThat(tally.accept(0, relayed(100, 1_000), 51_000)).isTrue();
        assertThat(tally.accept(2, relayed(100, 1_000), 81_000)).isTrue();
        assertThat(tally.accept(2, relayed(100, 1_000), 91_000)).isTrue(); // again
        assertThat(tally.accept(0, relayed(101, 1_000), 11_000)).isTrue();
        Histogram latency = Latency.newHistogram();
        DeliveryTally.Counts counts = tally.drainInto(latency);
        assertThat(counts).isEqualTo(new DeliveryTally.Counts(3, 1, 1));
        assertThat(measured.sum()).isEqualTo(3);
        assertThat(latency.getTotalCount()).isEqualTo(3);
        assertThat(latency.getMaxValue()).isBetween(79_900L, 80_100L);
        assertThat(latency.getMinValue()).isBetween(9_990L, 10_010L);
    }

    @Test
    void withFewerSendersAMessageIsTheSendersIfItsNumberSaysSo() {
        DeliveryTally twoSend = new DeliveryTally(format, window, CLIENTS, 2, seen, measured);
        window.open(100);
        byte[] fromOne = ("btally1-x: " + new String(format.format(1, 101, 0, 50), StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);
        byte[] notTheSenders = ("btally1-x: " + new String(format.format(2, 102, 0, 50), StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);
        twoSend.accept(2, fromOne, 10);
        twoSend.accept(0, notTheSenders, 10);
        assertThat(twoSend.drainInto(Latency.newHistogram())).isEqualTo(new DeliveryTally.Counts(1, 0, 1));
    }

    @Test
    void onlyMessagesInsideTheWindowAreMeasuredButEveryOneOfTheRunIsSeen() {
        window.open(10);
        tally.accept(1, relayed(9, 0), 5); // warmup
        tally.accept(0, relayed(10, 0), 5);
        window.bound(11);
        tally.accept(1, relayed(11, 0), 5); // the next step's
        window.close();
        tally.accept(2, relayed(10, 0), 5); // after the drain
        assertThat(tally.drainInto(Latency.newHistogram()).delivered()).isEqualTo(1);
        assertThat(seen.sum()).isEqualTo(4);
    }

    @Test
    void noticesAndOtherTextsAreNotCountedAndSaySo() {
        window.open(0);
        assertThat(tally.accept(0, "* commands: /who lists who is online".getBytes(StandardCharsets.US_ASCII), 0)).isFalse();
        assertThat(tally.accept(0, "alice: tally1 1 1 1".getBytes(StandardCharsets.US_ASCII), 0))
                .as("a parsable text is one of ours, whoever relayed it").isTrue();
        assertThat(tally.drainInto(Latency.newHistogram())).isEqualTo(new DeliveryTally.Counts(1, 0, 0));
        assertThat(seen.sum()).isEqualTo(1);
    }

    @Test
    void aMessageWhoseSenderFieldIsNotItsRoundRobinSenderIsMisrouted() {
        window.open(0);
        byte[] wrongSender = ("x: " + new String(format.format(2, 4, 0, 1), StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII); // message 4 is client 1's
        tally.accept(0, wrongSender, 0);
        assertThat(tally.drainInto(Latency.newHistogram())).isEqualTo(new DeliveryTally.Counts(0, 0, 1));
    }

    @Test
    void aNewStepStartsFromNothing() {
        window.open(0);
        tally.accept(1, relayed(0, 0), 5);
        tally.drainInto(Latency.newHistogram());
        window.open(0); // the same numbers again (they never repeat in a run, but the tally must not care)
        tally.accept(1, relayed(0, 0), 5);
        assertThat(tally.drainInto(Latency.newHistogram())).isEqualTo(new DeliveryTally.Counts(1, 0, 0));
    }
}
