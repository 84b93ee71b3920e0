package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.v2.ReliableFrame.Ack;
import io.ciphergram.protocol.v2.ReliableFrame.AckRange;
import io.ciphergram.protocol.v2.SendWindow.AckOutcome;
import io.ciphergram.protocol.v2.SendWindow.FailureCause;

class SendWindowTest {

    private static final long MS = 1_000_000L;
    private static final long RTO = 1000 * MS;

    private final RttEstimator rtt = new RttEstimator(RTO, 200 * MS, 60_000 * MS, 1 * MS);

    private static Fragment fragment(int n) {
        return new Fragment(n, 0, 1, new byte[] {(byte) n});
    }

    private static Ack ack(long cumulative, AckRange... ranges) {
        return new Ack(cumulative, List.of(ranges));
    }

    private final CountingEvents seen = new CountingEvents();

    private SendWindow windowOf(int size) {
        return new SendWindow(rtt, size, 3, 120_000 * MS, 3, seen);
    }

    @Test
    void sequencesCountFromZeroInSendOrder() {
        SendWindow window = windowOf(8);

        assertThat(window.send(fragment(7), 0).sequence()).isZero();
        assertThat(window.send(fragment(8), 0).sequence()).isEqualTo(1);
        assertThat(window.unacknowledgedCount()).isEqualTo(2);
        assertThat(window.allAcknowledged()).isFalse();
    }

    @Test
    void cumulativeAckForgetsEverythingBelowIt() {
        SendWindow window = windowOf(8);
        for (int i = 0; i < 5; i++) {
            window.send(fragment(i), 0);
        }

        assertThat(window.onAck(ack(3), 10 * MS)).isEqualTo(AckOutcome.PROGRESS);

        assertThat(window.lowestUnacknowledged()).isEqualTo(3);
        assertThat(window.unacknowledgedCount()).isEqualTo(2);
    }

    @Test
    void selectiveRangesForgetJustThoseSequences() {
        SendWindow window = windowOf(8);
        for (int i = 0; i < 6; i++) {
            window.send(fragment(i), 0);
        }

        window.onAck(ack(1, new AckRange(2, 3), new AckRange(5, 5)), 10 * MS);

        assertThat(window.unacknowledgedCount()).isEqualTo(2);
        assertThat(window.lowestUnacknowledged()).isEqualTo(1);
        assertThat(window.retransmissionsDue(RTO)).extracting(ReliableFrame.Data::sequence).containsExactly(1L, 4L);
    }

    @Test
    void allAcknowledgedOnlyWhenTheLastFragmentIsCovered() {
        SendWindow window = windowOf(8);
        window.send(fragment(0), 0);
        window.send(fragment(1), 0);

        window.onAck(ack(1), 5 * MS);
        assertThat(window.allAcknowledged()).isFalse();
        window.onAck(ack(2), 6 * MS);

        assertThat(window.allAcknowledged()).isTrue();
        assertThat(window.nextTimeoutNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void staleAndDuplicateAcksAreHarmless() {
        SendWindow window = windowOf(8);
        for (int i = 0; i < 4; i++) {
            window.send(fragment(i), 0);
        }
        window.onAck(ack(3), 5 * MS);

        assertThat(window.onAck(ack(3), 6 * MS)).isEqualTo(AckOutcome.NOTHING_NEW);
        assertThat(window.onAck(ack(1, new AckRange(2, 2)), 7 * MS)).as("replayed older ack").isEqualTo(AckOutcome.NOTHING_NEW);
        assertThat(window.lowestUnacknowledged()).isEqualTo(3);
    }

    @Test
    void anAckOfSequencesNeverSentIsAProtocolErrorThatGivesTheSessionUp() {
        SendWindow window = windowOf(8);
        window.send(fragment(0), 0);
        window.send(fragment(1), 0);

        assertThat(window.onAck(ack(0, new AckRange(1, 2)), 5 * MS)).isEqualTo(AckOutcome.INVALID);
        assertThat(window.unacknowledgedCount()).as("nothing of it is believed").isEqualTo(2);
        assertThat(window.failure()).hasValueSatisfying(f -> assertThat(f.cause()).isEqualTo(FailureCause.INVALID_ACK));
        assertThat(window.hasRoom()).isFalse();

        SendWindow other = windowOf(8);
        other.send(fragment(0), 0);
        assertThat(other.onAck(ack(3), 5 * MS)).as("a cumulative ack beyond what was sent, too").isEqualTo(AckOutcome.INVALID);
        assertThat(other.failure()).isPresent();
    }

    @Test
    void windowIsCountedFromTheOldestUnacknowledgedNotByHowManyAreOutstanding() {
        SendWindow window = windowOf(4);
        for (int i = 0; i < 4; i++) {
            window.send(fragment(i), 0);
        }
        assertThat(window.hasRoom()).isFalse();
        assertThatThrownBy(() -> window.send(fragment(9), 0)).isInstanceOf(IllegalStateException.class);

        window.onAck(ack(0, new AckRange(1, 3)), 5 * MS);
        assertThat(window.unacknowledgedCount()).isEqualTo(1);
        assertThat(window.hasRoom()).as("sequence 0 still holds the receiver's window").isFalse();

        window.onAck(ack(4), 6 * MS);
        assertThat(window.hasRoom()).isTrue();
    }

    @Test
    void nothingIsRetransmittedBeforeTheRto() {
        SendWindow window = windowOf(8);
        window.send(fragment(0), 0);

        assertThat(window.retransmissionsDue(RTO - 1)).isEmpty();
        assertThat(window.nextTimeoutNanos()).isEqualTo(RTO);
        assertThat(window.retransmissionsDue(RTO)).extracting(ReliableFrame.Data::sequence).containsExactly(0L);
    }

    @Test
    void fragmentIsRetransmittedBeforeItsTimerWhenThreeSentAfterItAreAcknowledged() {
        SendWindow window = windowOf(8);
        for (int i = 0; i < 5; i++) {
            window.send(fragment(i), 0);
        }

        window.onAck(ack(0, new AckRange(1, 3)), 40 * MS); // RTT sample 40 ms

        // lost once a quarter round trip of reordering has passed since it was sent: 1.25 × 40 ms
        assertThat(window.nextTimeoutNanos()).isEqualTo(50 * MS).isLessThan(RTO);
        assertThat(window.retransmissionsDue(50 * MS - 1)).isEmpty();
        assertThat(window.retransmissionsDue(50 * MS)).extracting(ReliableFrame.Data::sequence).containsExactly(0L);
    }

    @Test
    void fragmentAlreadyOlderThanTheReorderAllowanceIsRetransmittedAtOnce() {
        SendWindow window = windowOf(8);
        for (int i = 0; i < 5; i++) {
            window.send(fragment(i), 0);
        }
        window.onAck(ack(0, new AckRange(1, 1)), 40 * MS);

        window.onAck(ack(0, new AckRange(1, 3)), 90 * MS);

        assertThat(window.retransmissionsDue(90 * MS)).extracting(ReliableFrame.Data::sequence).containsExactly(0L);
    }

    @Test
    void twoLaterAcknowledgementsAreNotEnoughToDeclareALoss() {
        SendWindow window = windowOf(8);
        for (int i = 0; i < 4; i++) {
            window.send(fragment(i), 0);
        }

        window.onAck(ack(0, new AckRange(1, 2)), 10 * MS);

        assertThat(window.nextTimeoutNanos()).isEqualTo(RTO);
    }

    @Test
    void acksOfFragmentsSentBeforeAFastRetransmissionDoNotDeclareItLostAgain() {
        SendWindow window = windowOf(8);
        for (int i = 0; i < 7; i++) {
            window.send(fragment(i), 0);
        }
        window.onAck(ack(0, new AckRange(1, 3)), 40 * MS);
        assertThat(window.retransmissionsDue(50 * MS)).hasSize(1);

        window.onAck(ack(0, new AckRange(1, 6)), 60 * MS);

        assertThat(window.nextTimeoutNanos()).isGreaterThan(60 * MS + V2Constants.MIN_RTO_NANOS);
        assertThat(seen.count(ReliableEvents.Event.RETRANSMITTED)).isEqualTo(1);
    }

    @Test
    void eachRetransmissionWaitsTwiceAsLong() {
        SendWindow window = windowOf(8);
        window.send(fragment(0), 0);

        assertThat(window.retransmissionsDue(RTO)).hasSize(1);
        assertThat(window.nextTimeoutNanos()).isEqualTo(RTO + 2 * RTO);
        assertThat(window.retransmissionsDue(3 * RTO)).hasSize(1);
        assertThat(window.nextTimeoutNanos()).isEqualTo(3 * RTO + 4 * RTO);
        assertThat(seen.count(ReliableEvents.Event.RETRANSMITTED)).isEqualTo(2);
    }

    @Test
    void retransmissionResendsTheSameFrame() {
        SendWindow window = windowOf(8);
        ReliableFrame.Data sent = window.send(fragment(3), 0);

        assertThat(window.retransmissionsDue(RTO)).containsExactly(sent);
    }

    @Test
    void rttIsSampledFromFragmentsSentOnce() {
        SendWindow window = windowOf(8);
        window.send(fragment(0), 0);

        window.onAck(ack(1), 80 * MS);

        assertThat(rtt.hasSample()).isTrue();
        assertThat(rtt.srttNanos()).isEqualTo(80 * MS);
    }

    @Test
    void karnNoRttSampleFromARetransmittedFragment() {
        SendWindow window = windowOf(8);
        window.send(fragment(0), 0);
        window.retransmissionsDue(RTO);

        window.onAck(ack(1), RTO + 10 * MS);

        assertThat(rtt.hasSample()).isFalse();
        assertThat(rtt.rtoNanos()).isEqualTo(RTO);
    }

    @Test
    void karnSamplesTheNewestFragmentSentOnceWhenAnAckCoversSeveral() {
        SendWindow window = windowOf(8);
        window.send(fragment(0), 0);
        window.retransmissionsDue(RTO);
        window.send(fragment(1), RTO + 100 * MS);

        window.onAck(ack(2), RTO + 150 * MS);

        assertThat(rtt.srttNanos()).isEqualTo(50 * MS);
    }

    @Test
    void givesUpAfterTheMaximumRetransmissions() {
        SendWindow window = new SendWindow(rtt, 8, 2, 3_600_000 * MS, 3);
        window.send(fragment(0), 0);
        assertThat(window.retransmissionsDue(RTO)).hasSize(1);
        assertThat(window.retransmissionsDue(3 * RTO)).hasSize(1);

        assertThat(window.retransmissionsDue(7 * RTO)).isEmpty();

        assertThat(window.failure()).hasValueSatisfying(f -> {
            assertThat(f.cause()).isEqualTo(FailureCause.MAX_RETRANSMISSIONS);
            assertThat(f.sequence()).isZero();
        });
        assertThat(window.allAcknowledged()).isFalse();
        assertThat(window.hasRoom()).isFalse();
        assertThat(window.nextTimeoutNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void givesUpWhenAFragmentOutlivesTheDeadline() {
        SendWindow window = new SendWindow(rtt, 8, 100, 2500 * MS, 3);
        window.send(fragment(0), 0);
        window.retransmissionsDue(RTO);
        assertThat(window.nextTimeoutNanos()).as("the deadline comes before the next timer").isEqualTo(2500 * MS);

        window.retransmissionsDue(2500 * MS);

        assertThat(window.failure()).map(SendWindow.Failure::cause).hasValue(FailureCause.DEADLINE);
    }

    @Test
    void runningOutOfSequenceNumbersGivesTheSessionUp() {
        SendWindow window = SendWindow.startingAt(V2Constants.MAX_SEQUENCE, rtt);
        assertThat(window.send(fragment(0), 0).sequence()).isEqualTo(V2Constants.MAX_SEQUENCE);
        window.onAck(ack(V2Constants.MAX_SEQUENCE + 1), 5 * MS);

        assertThat(window.allAcknowledged()).isTrue();
        assertThat(window.hasRoom()).isFalse();
        assertThat(window.sequencesExhausted()).isTrue();
        assertThatThrownBy(() -> window.send(fragment(1), 6 * MS)).isInstanceOf(IllegalStateException.class);
        assertThat(window.failure()).map(SendWindow.Failure::cause).hasValue(FailureCause.SEQUENCE_EXHAUSTED);
    }
}
