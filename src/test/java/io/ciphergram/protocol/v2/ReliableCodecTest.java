package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;

class ReliableCodecTest {

    private static ReliableFrame roundTrip(ReliableFrame frame) throws FrameException {
        return ReliableCodec.decode(ReliableCodec.encode(frame));
    }

    private static DropReason reasonFor(byte[] bytes) {
        try {
            ReliableCodec.decode(bytes);
        } catch (FrameException e) {
            return e.reason();
        }
        throw new AssertionError("decoded " + bytes.length + " bytes without complaint");
    }

    @Test
    void dataFrameRoundTripsWithItsFieldsAndPayload() throws Exception {
        var data = new ReliableFrame.Data(0xFFFF_FFFEL, 0xFFFF_FFFFL, 3, 7, new byte[] {1, 2, 3});

        assertThat(roundTrip(data)).isEqualTo(data);
    }

    @Test
    void dataFrameHasTheDocumentedByteLayout() {
        byte[] bytes = ReliableCodec.encode(new ReliableFrame.Data(0x01020304L, 0x0A0B0C0DL, 1, 2, new byte[] {(byte) 0xEE}));

        assertThat(bytes).containsExactly(0x01, 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D, 0, 1, 0, 2, 0, 1, 0xEE);
    }

    @Test
    void fullSizeDataFrameFillsTheBudgetedPlaintextAndNoMore() throws Exception {
        var data = new ReliableFrame.Data(9, 1, 0, V2Constants.MAX_FRAGMENTS,
                new byte[V2Constants.MAX_FRAGMENT_PAYLOAD]);

        byte[] bytes = ReliableCodec.encode(data);

        assertThat(bytes.length + V2Constants.AEAD_TAG + V2Constants.TRANSPORT_HEADER_BUDGET)
                .isLessThanOrEqualTo(V2Constants.MAX_DATAGRAM);
        assertThat(roundTrip(data)).isEqualTo(data);
    }

    @Test
    void ackRoundTripsWithSelectiveRanges() throws Exception {
        var ack = new ReliableFrame.Ack(10, List.of(new ReliableFrame.AckRange(12, 12),
                new ReliableFrame.AckRange(14, 20), new ReliableFrame.AckRange(40, 41)));

        assertThat(roundTrip(ack)).isEqualTo(ack);
    }

    @Test
    void ackEncodesRangesAsGapAndLength() {
        var ack = new ReliableFrame.Ack(10, List.of(new ReliableFrame.AckRange(12, 13), new ReliableFrame.AckRange(16, 16)));

        assertThat(ReliableCodec.encode(ack)).containsExactly(0x02, 0, 0, 0, 10, 2, 0, 2, 0, 2, 0, 2, 0, 1);
    }

    @Test
    void largestAckFitsInOneDatagram() throws Exception {
        List<ReliableFrame.AckRange> ranges = new ArrayList<>();
        for (int i = 0; i < V2Constants.MAX_ACK_RANGES; i++) {
            ranges.add(new ReliableFrame.AckRange(101 + 2L * i, 101 + 2L * i));
        }
        var ack = new ReliableFrame.Ack(100, ranges);

        byte[] bytes = ReliableCodec.encode(ack);

        assertThat(bytes).hasSize(ReliableCodec.ACK_HEADER + ReliableCodec.ACK_RANGE * V2Constants.MAX_ACK_RANGES);
        assertThat(roundTrip(ack)).isEqualTo(ack);
    }

    @Test
    void rejectsEmptyOversizeAndUnknownFrames() {
        assertThat(reasonFor(new byte[0])).isEqualTo(DropReason.EMPTY_RECORD);
        assertThat(reasonFor(new byte[V2Constants.MAX_RELIABLE_FRAME + 1])).isEqualTo(DropReason.OVERSIZE_RECORD);
        assertThat(reasonFor(new byte[] {0x7F, 0, 0})).isEqualTo(DropReason.UNKNOWN_RECORD_TYPE);
    }

    @Test
    void rejectsDataWhosePayloadLengthDisagreesWithTheBytesThatFollow() {
        byte[] good = ReliableCodec.encode(new ReliableFrame.Data(1, 1, 0, 1, new byte[] {1, 2, 3}));
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        byte[] headerOnly = Arrays.copyOf(good, 10);

        assertThat(reasonFor(truncated)).isEqualTo(DropReason.TRUNCATED_RECORD);
        assertThat(reasonFor(trailing)).isEqualTo(DropReason.TRAILING_BYTES);
        assertThat(reasonFor(headerOnly)).isEqualTo(DropReason.TRUNCATED_RECORD);
    }

    @Test
    void rejectsDataWithImpossibleFragmentNumbers() {
        assertThat(reasonFor(data(1, 0, 0, 0))).as("count 0").isEqualTo(DropReason.BAD_FRAGMENT);
        assertThat(reasonFor(data(1, 2, 2, 0))).as("index = count").isEqualTo(DropReason.BAD_FRAGMENT);
        assertThat(reasonFor(data(1, 0, V2Constants.MAX_FRAGMENTS + 1, 0))).as("count too big")
                .isEqualTo(DropReason.BAD_FRAGMENT);
        assertThat(reasonFor(data(1, 0, 1, V2Constants.MAX_FRAGMENT_PAYLOAD + 1))).as("payload too big")
                .isEqualTo(DropReason.FRAGMENT_TOO_LARGE);
        assertThat(reasonFor(data(0xFFFF_FFFFL, 0, 1, 0))).as("reserved top sequence").isEqualTo(DropReason.BAD_ACK_RANGE);
    }

    @Test
    void rejectsAcksWithNonCanonicalOrOverflowingRanges() {
        assertThat(reasonFor(ack(10, 1, 0, 1))).as("zero gap").isEqualTo(DropReason.BAD_ACK_RANGE);
        assertThat(reasonFor(ack(10, 1, 1, 0))).as("zero length").isEqualTo(DropReason.BAD_ACK_RANGE);
        assertThat(reasonFor(ack(0xFFFF_FFF0L, 1, 0x20, 1))).as("past the sequence space").isEqualTo(DropReason.BAD_ACK_RANGE);
        assertThat(reasonFor(ack(10, V2Constants.MAX_ACK_RANGES + 1))).isEqualTo(DropReason.TOO_MANY_ACK_RANGES);
        assertThat(reasonFor(ack(10, 2, 1, 1))).as("announces two ranges, carries one").isEqualTo(DropReason.TRUNCATED_RECORD);
        assertThat(reasonFor(ack(10, 0, 1, 1))).as("announces none, carries one").isEqualTo(DropReason.TRAILING_BYTES);
    }

    @Test
    void pingAndCloseAreOneByteEachAndNothingMore() throws Exception {
        assertThat(roundTrip(ReliableFrame.PING)).isEqualTo(ReliableFrame.PING);
        assertThat(roundTrip(ReliableFrame.CLOSE)).isEqualTo(ReliableFrame.CLOSE);
        assertThat(ReliableCodec.encode(ReliableFrame.PING)).containsExactly(0x10);
        assertThat(ReliableCodec.encode(ReliableFrame.CLOSE)).containsExactly(0x11);
        assertThat(reasonFor(new byte[] {0x10, 0})).isEqualTo(DropReason.TRAILING_BYTES);
        assertThat(reasonFor(new byte[] {0x11, 1, 2})).isEqualTo(DropReason.TRAILING_BYTES);
    }

    @Test
    void randomBytesNeverCrashTheDecoder() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = (byte) (1 + random.nextInt(2));
            }
            try {
                ReliableFrame frame = ReliableCodec.decode(bytes);
                assertThat(ReliableCodec.encode(frame)).as("decoded frames re-encode canonically").isEqualTo(bytes);
            } catch (FrameException expected) {
                assertThat(expected.reason()).isNotNull();
            }
        }
    }

    private static byte[] data(long sequence, int index, int count, int declaredLength) {
        ByteBuffer b = ByteBuffer.allocate(V2Constants.DATA_HEADER + Math.min(declaredLength, 1200));
        b.put(ReliableCodec.TYPE_DATA).putInt((int) sequence).putInt(7).putShort((short) index).putShort((short) count)
                .putShort((short) declaredLength);
        return b.array();
    }

    /** An Ack announcing {@code count} ranges and carrying the (gap, length) pairs given. */
    private static byte[] ack(long cumulative, int count, int... gapsAndLengths) {
        ByteBuffer b = ByteBuffer.allocate(ReliableCodec.ACK_HEADER + 2 * gapsAndLengths.length);
        b.put(ReliableCodec.TYPE_ACK).putInt((int) cumulative).put((byte) count);
        for (int v : gapsAndLengths) {
            b.putShort((short) v);
        }
        return b.array();
    }
}
