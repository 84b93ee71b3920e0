package io.ciphergram.protocol.v2;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;

/**
 * Turns inner frames (what a v2 record carries) into {@link ReliableFrame}s and back: Data, Ack, Ping and
 * Close. Strict: every length is bounded before it is used, and anything but the one canonical encoding is
 * rejected, with the reason it is counted under, so a frame decodes to one value only.
 *
 * <pre>
 * All integers big-endian, unsigned.
 *
 * Data   offset size  field
 *        0      1     type = 0x01
 *        1      4     sequence           (0 .. MAX_SEQUENCE, per direction, from 0)
 *        5      4     message id
 *        9      2     fragment index     (&lt; fragment count)
 *        11     2     fragment count     (1 .. MAX_FRAGMENTS)
 *        13     2     payload length     (0 .. MAX_FRAGMENT_PAYLOAD, = bytes that follow)
 *        15     n     payload
 *
 * Ack    0      1     type = 0x02
 *        1      4     cumulative         (every sequence below it is acknowledged)
 *        5      1     range count        (0 .. MAX_ACK_RANGES)
 *        6      4·k   ranges, ascending: u16 gap, u16 length (both &ge; 1)
 *                     first = previous end + gap, where previous end is the cumulative for the first
 *                     range and (previous last + 1) after it; last = first + length - 1
 *
 * Ping   0      1     type = 0x10, nothing else
 * Close  0      1     type = 0x11, nothing else
 * </pre>
 */
public final class ReliableCodec {

    public static final byte TYPE_DATA = 0x01;
    public static final byte TYPE_ACK = 0x02;
    public static final byte TYPE_PING = 0x10;
    public static final byte TYPE_CLOSE = 0x11;
    /** Bytes of an Ack before its ranges. */
    public static final int ACK_HEADER = 6;
    /** Bytes per selective range. */
    public static final int ACK_RANGE = 4;

    private ReliableCodec() {
    }

    public static byte[] encode(ReliableFrame frame) {
        if (frame instanceof ReliableFrame.Data d) {
            return encodeData(d);
        } else if (frame instanceof ReliableFrame.Ack a) {
            return encodeAck(a);
        } else if (frame instanceof ReliableFrame.Ping) {
            return new byte[] {TYPE_PING};
        }
        return new byte[] {TYPE_CLOSE};
    }

    public static ReliableFrame decode(byte[] bytes) throws FrameException {
        if (bytes.length == 0) {
            throw new FrameException(DropReason.EMPTY_RECORD);
        }
        if (bytes.length > V2Constants.MAX_RELIABLE_FRAME) {
            throw new FrameException(DropReason.OVERSIZE_RECORD);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte type = in.get();
        if (type == TYPE_DATA) {
            return decodeData(in);
        } else if (type == TYPE_ACK) {
            return decodeAck(in);
        } else if (type == TYPE_PING || type == TYPE_CLOSE) {
            if (in.hasRemaining()) {
                throw new FrameException(DropReason.TRAILING_BYTES);
            }
            return type == TYPE_PING ? ReliableFrame.PING : ReliableFrame.CLOSE;
        }
        throw new FrameException(DropReason.UNKNOWN_RECORD_TYPE);
    }

    private static byte[] encodeData(ReliableFrame.Data d) {
        if (d.payload().length > V2Constants.MAX_FRAGMENT_PAYLOAD
                || d.fragmentCount() > V2Constants.MAX_FRAGMENTS) {
            throw new IllegalArgumentException("fragment exceeds the v2 limits: " + d);
        }
        ByteBuffer out = ByteBuffer.allocate(V2Constants.DATA_HEADER + d.payload().length);
        out.put(TYPE_DATA);
        out.putInt((int) d.sequence());
        out.putInt((int) d.messageId());
        out.putShort((short) d.fragmentIndex());
        out.putShort((short) d.fragmentCount());
        out.putShort((short) d.payload().length);
        out.put(d.payload());
        return out.array();
    }

    private static ReliableFrame.Data decodeData(ByteBuffer in) throws FrameException {
        if (in.remaining() < V2Constants.DATA_HEADER - 1) {
            throw new FrameException(DropReason.TRUNCATED_RECORD);
        }
        long sequence = Integer.toUnsignedLong(in.getInt());
        long messageId = Integer.toUnsignedLong(in.getInt());
        int index = Short.toUnsignedInt(in.getShort());
        int count = Short.toUnsignedInt(in.getShort());
        int length = Short.toUnsignedInt(in.getShort());
        if (sequence > V2Constants.MAX_SEQUENCE) {
            throw new FrameException(DropReason.BAD_ACK_RANGE);
        }
        if (count < 1 || count > V2Constants.MAX_FRAGMENTS || index >= count) {
            throw new FrameException(DropReason.BAD_FRAGMENT);
        }
        if (length > V2Constants.MAX_FRAGMENT_PAYLOAD) {
            throw new FrameException(DropReason.FRAGMENT_TOO_LARGE);
        }
        if (in.remaining() < length) {
            throw new FrameException(DropReason.TRUNCATED_RECORD);
        }
        if (in.remaining() > length) {
            throw new FrameException(DropReason.TRAILING_BYTES);
        }
        byte[] payload = new byte[length];
        in.get(payload);
        return new ReliableFrame.Data(sequence, messageId, index, count, payload);
    }

    private static byte[] encodeAck(ReliableFrame.Ack a) {
        if (a.ranges().size() > V2Constants.MAX_ACK_RANGES || a.cumulative() > V2Constants.MAX_SEQUENCE + 1) {
            throw new IllegalArgumentException("ack exceeds the v2 limits: " + a);
        }
        ByteBuffer out = ByteBuffer.allocate(ACK_HEADER + ACK_RANGE * a.ranges().size());
        out.put(TYPE_ACK);
        out.putInt((int) a.cumulative());
        out.put((byte) a.ranges().size());
        long previousEnd = a.cumulative();
        for (ReliableFrame.AckRange r : a.ranges()) {
            long gap = r.first() - previousEnd;
            long length = r.last() - r.first() + 1;
            if (gap > 0xFFFF || length > 0xFFFF) {
                throw new IllegalArgumentException("range does not fit 16-bit gap/length: " + r);
            }
            out.putShort((short) gap);
            out.putShort((short) length);
            previousEnd = r.last() + 1;
        }
        return out.array();
    }

    private static ReliableFrame.Ack decodeAck(ByteBuffer in) throws FrameException {
        if (in.remaining() < ACK_HEADER - 1) {
            throw new FrameException(DropReason.TRUNCATED_RECORD);
        }
        long cumulative = Integer.toUnsignedLong(in.getInt());
        int count = Byte.toUnsignedInt(in.get());
        if (count > V2Constants.MAX_ACK_RANGES) {
            throw new FrameException(DropReason.TOO_MANY_ACK_RANGES);
        }
        if (in.remaining() < ACK_RANGE * count) {
            throw new FrameException(DropReason.TRUNCATED_RECORD);
        }
        if (in.remaining() > ACK_RANGE * count) {
            throw new FrameException(DropReason.TRAILING_BYTES);
        }
        List<ReliableFrame.AckRange> ranges = new ArrayList<>(count);
        long previousEnd = cumulative;
        for (int i = 0; i < count; i++) {
            int gap = Short.toUnsignedInt(in.getShort());
            int length = Short.toUnsignedInt(in.getShort());
            long first = previousEnd + gap;
            long last = first + length - 1;
            if (gap == 0 || length == 0 || last > V2Constants.MAX_SEQUENCE) {
                throw new FrameException(DropReason.BAD_ACK_RANGE);
            }
            ranges.add(new ReliableFrame.AckRange(first, last));
            previousEnd = last + 1;
        }
        return new ReliableFrame.Ack(cumulative, ranges);
    }
}
