package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.ReliableFrame.Ack;
import io.ciphergram.protocol.v2.ReliableFrame.Data;

class ReliableSenderTest {

    private static final long MS = 1_000_000L;

    private static ReliableSender sender(TokenBucket pacer, int window, int maxQueuedBytes) {
        RttEstimator rtt = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS, 1 * MS);
        return new ReliableSender(new Fragmenter(), new SendWindow(rtt, window, 3, 60_000 * MS, 3), pacer, maxQueuedBytes);
    }

    private static ReliableSender unpaced(int window) {
        return sender(TokenBucket.NO_LIMIT, window, 1 << 20);
    }

    @Test
    void newMessagesArePacedToTheStatedRateAfterTheBurst() {
        ReliableSender sender = sender(new TokenBucket(10, 3, 0), 64, 1 << 20);
        for (int i = 0; i < 5; i++) {
            sender.offer(new byte[] {(byte) i});
        }

        assertThat(sender.poll(0)).as("the burst goes at once").hasSize(3);
        assertThat(sender.poll(50 * MS)).isEmpty();
        assertThat(sender.nextWakeNanos(50 * MS)).isEqualTo(100 * MS);
        assertThat(sender.poll(100 * MS)).hasSize(1);
        assertThat(sender.poll(150 * MS)).isEmpty();
        assertThat(sender.poll(200 * MS)).hasSize(1);
    }

    @Test
    void aMultiFragmentMessageCostsOneToken() {
        ReliableSender sender = sender(new TokenBucket(1, 1, 0), 64, 1 << 20);
        sender.offer(new byte[3 * V2Constants.MAX_FRAGMENT_PAYLOAD]);
        sender.offer(new byte[1]);

        List<Data> sent = sender.poll(0);

        assertThat(sent).extracting(Data::messageId).containsExactly(0L, 0L, 0L);
        assertThat(sender.nextWakeNanos(0)).isEqualTo(1000 * MS);
    }

    @Test
    void newFragmentsWaitForRoomInTheWindow() {
        ReliableSender sender = unpaced(2);
        sender.offer(new byte[] {1});
        sender.offer(new byte[] {2});
        sender.offer(new byte[] {3});

        assertThat(sender.poll(0)).extracting(Data::sequence).containsExactly(0L, 1L);
        assertThat(sender.poll(10 * MS)).isEmpty();
        sender.onAck(new Ack(1, List.of()), 20 * MS);

        assertThat(sender.poll(20 * MS)).extracting(Data::sequence).containsExactly(2L);
    }

    @Test
    void retransmissionsAreSentAlongsideNewFragments() {
        ReliableSender sender = unpaced(8);
        sender.offer(new byte[] {1});
        sender.poll(0);
        sender.offer(new byte[] {2});

        assertThat(sender.poll(1000 * MS)).extracting(Data::sequence).containsExactly(0L, 1L);
    }

    @Test
    void allAcknowledgedOnlyOnceEveryOfferedMessageIsAcked() {
        ReliableSender sender = unpaced(1);
        assertThat(sender.allAcknowledged()).as("nothing offered yet").isTrue();
        sender.offer(new byte[] {1});
        sender.offer(new byte[] {2});
        assertThat(sender.allAcknowledged()).as("queued, not sent").isFalse();

        sender.poll(0);
        sender.onAck(new Ack(1, List.of()), 10 * MS);
        assertThat(sender.allAcknowledged()).as("second still queued behind the window").isFalse();
        sender.poll(10 * MS);
        sender.onAck(new Ack(2, List.of()), 20 * MS);

        assertThat(sender.allAcknowledged()).isTrue();
        assertThat(sender.nextWakeNanos(20 * MS)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void offerIsRefusedWhileTheQueueIsFull() {
        ReliableSender sender = sender(TokenBucket.NO_LIMIT, 64, 10);

        assertThat(sender.offer(new byte[8])).hasValue(0L);
        assertThat(sender.offer(new byte[8])).isEmpty();
        sender.poll(0);
        assertThat(sender.offer(new byte[8])).hasValue(1L);
    }

    @Test
    void givingUpIsReportedAndNeverLooksLikeSuccess() {
        ReliableSender sender = unpaced(8);
        sender.offer(new byte[] {1});
        long now = 0;
        for (int i = 0; i < 10 && sender.failure().isEmpty(); i++) {
            sender.poll(now);
            now = sender.nextWakeNanos(now);
        }

        assertThat(sender.failure()).map(SendWindow.Failure::cause).hasValue(SendWindow.FailureCause.MAX_RETRANSMISSIONS);
        assertThat(sender.allAcknowledged()).isFalse();
    }

    @Test
    void wholeMessagesAreCountedInOrderOverManyWindowsWithSelectiveAcks() {
        ReliableSender sender = unpaced(64);
        java.util.Random random = new java.util.Random(7);
        java.util.TreeMap<Long, Integer> endsBySequence = new java.util.TreeMap<>(); // last fragment -> message
        java.util.Set<Long> selectivelyAcked = new java.util.HashSet<>();
        int offered = 0;
        long cumulative = 0;
        for (int round = 0; round < 40; round++) {
            while (offered < 400) {
                int fragments = random.nextInt(10) == 0 ? 3 : 1;
                if (sender.offer(new byte[fragments * V2Constants.MAX_FRAGMENT_PAYLOAD]).isEmpty()) {
                    break;
                }
                offered++;
            }
            for (Data d : sender.poll(0)) {
                if (d.fragmentIndex() == d.fragmentCount() - 1) {
                    endsBySequence.put(d.sequence(), (int) d.messageId());
                }
            }
            long highest = endsBySequence.isEmpty() ? cumulative : Math.max(cumulative, endsBySequence.lastKey());
            // Acknowledge a step of what was sent, and selectively a range beyond a gap that stays open.
            long next = Math.min(highest + 1, cumulative + 1 + random.nextInt(40));
            List<ReliableFrame.AckRange> beyond = next + 2 <= highest
                    ? List.of(new ReliableFrame.AckRange(next + 1, Math.min(highest, next + 5))) : List.of();
            sender.onAck(new Ack(next, beyond), 0);
            cumulative = next;
            for (ReliableFrame.AckRange r : beyond) {
                for (long q = r.first(); q <= r.last(); q++) {
                    selectivelyAcked.add(q);
                }
            }
            long lowest = cumulative;
            while (selectivelyAcked.contains(lowest)) {
                lowest++; // acknowledged by an earlier range: the sender knows it arrived
            }

            long whole = endsBySequence.headMap(lowest).size();
            assertThat(sender.acknowledgedMessages()).as("round %d, everything below %d acknowledged", round, lowest)
                    .isEqualTo(whole);
        }
        assertThat(cumulative).as("more than a window's worth went through").isGreaterThan(3 * 64);
    }

    @Test
    void aWindowWiderThanOneWordIsRefused() {
        RttEstimator rtt = new RttEstimator(1000 * MS, 200 * MS, 60_000 * MS, 1 * MS);
        assertThatThrownBy(() -> new ReliableSender(new Fragmenter(), new SendWindow(rtt, 65, 3, 60_000 * MS, 3),
                TokenBucket.NO_LIMIT, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
    }
}
