package io.ciphergram.protocol.v2;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.Utf8;

/**
 * App frames ⇄ message bytes. Strict, as every codec here: lengths bounded before use, names and rooms
 * ASCII and short, texts UTF-8, nothing after the last field (a text runs to the end).
 *
 * <pre>
 * All integers big-endian, unsigned. name: u8 len (1..32) ‖ ASCII. room: u8 len (0..33) ‖ ASCII.
 *
 * server → client
 *   01 Line    u64 id ‖ u64 time_ms ‖ u8 flags (1 history, 2 private) ‖ room ‖ name (from) ‖ text
 *   02 Notice  u64 time_ms ‖ text
 *   03 Sealed  u64 time_ms ‖ u8 flags (1 stored) ‖ envelope
 *   04 Bundle  name ‖ bundle (141 bytes, or none)
 * client → server
 *   10 Seal            name (to) ‖ envelope
 *   11 GetBundle       name
 *   12 PublishPrekey   u32 key id ‖ u64 created_ms ‖ x25519[32] ‖ signature[64]
 * </pre>
 */
public final class AppCodec {

    /**
     * The most a Line frame adds to its text: type, id, time, flags, the longest room and the longest name
     * with their lengths. A line whose text (with its {@code NAME: }) is at most {@code MAX_MESSAGE} minus this
     * reaches a framed recipient in one message.
     */
    public static final int LINE_OVERHEAD = 1 + 8 + 8 + 1 + (1 + 33) + (1 + 32);

    public static final byte LINE = 0x01;
    public static final byte NOTICE = 0x02;
    public static final byte SEALED = 0x03;
    public static final byte BUNDLE = 0x04;
    public static final byte SEAL = 0x10;
    public static final byte GET_BUNDLE = 0x11;
    public static final byte PUBLISH_PREKEY = 0x12;

    private static final int HISTORY = 1;
    private static final int PRIVATE = 2;
    private static final int STORED = 1;
    private static final int MAX_NAME = 32;
    private static final int MAX_ROOM = 33;

    private AppCodec() {
    }

    /** Whether a message is an app frame rather than a text line: its first byte is a control character. */
    public static boolean isFrame(byte[] message) {
        return message.length > 0 && (message[0] & 0xFF) < 0x20;
    }

    public static byte[] encode(AppFrame frame) {
        if (frame instanceof AppFrame.Line l) {
            byte[] text = utf8(l.text());
            ByteBuffer out = ByteBuffer.allocate(1 + 8 + 8 + 1 + 1 + l.room().length() + 1 + l.from().length() + text.length);
            out.put(LINE).putLong(l.id()).putLong(l.timeMillis())
                    .put((byte) ((l.history() ? HISTORY : 0) | (l.privately() ? PRIVATE : 0)));
            room(out, l.room());
            name(out, l.from());
            return out.put(text).array();
        } else if (frame instanceof AppFrame.Notice n) {
            byte[] text = utf8(n.text());
            return ByteBuffer.allocate(1 + 8 + text.length).put(NOTICE).putLong(n.timeMillis()).put(text).array();
        } else if (frame instanceof AppFrame.Sealed s) {
            byte[] envelope = s.envelope();
            return ByteBuffer.allocate(1 + 8 + 1 + envelope.length).put(SEALED).putLong(s.timeMillis())
                    .put((byte) (s.stored() ? STORED : 0)).put(envelope).array();
        } else if (frame instanceof AppFrame.Bundle b) {
            byte[] bundle = b.bundle();
            ByteBuffer out = ByteBuffer.allocate(1 + 1 + b.name().length() + bundle.length).put(BUNDLE);
            name(out, b.name());
            return out.put(bundle).array();
        } else if (frame instanceof AppFrame.Seal s) {
            byte[] envelope = s.envelope();
            ByteBuffer out = ByteBuffer.allocate(1 + 1 + s.to().length() + envelope.length).put(SEAL);
            name(out, s.to());
            return out.put(envelope).array();
        } else if (frame instanceof AppFrame.GetBundle g) {
            ByteBuffer out = ByteBuffer.allocate(1 + 1 + g.name().length()).put(GET_BUNDLE);
            name(out, g.name());
            return out.array();
        }
        AppFrame.PublishPrekey p = (AppFrame.PublishPrekey) frame;
        return ByteBuffer.allocate(1 + 4 + 8 + 32 + 64).put(PUBLISH_PREKEY).putInt(p.keyId()).putLong(p.createdMillis())
                .put(p.publicKey()).put(p.signature()).array();
    }

    public static AppFrame decode(byte[] message) throws FrameException {
        if (!isFrame(message)) {
            throw new FrameException(DropReason.MALFORMED_APP_FRAME);
        }
        ByteBuffer in = ByteBuffer.wrap(message, 1, message.length - 1);
        try {
            AppFrame frame = switch (message[0]) {
                case LINE -> {
                    long id = in.getLong();
                    long time = in.getLong();
                    int flags = in.get() & 0xFF;
                    if ((flags & ~(HISTORY | PRIVATE)) != 0) {
                        throw new FrameException(DropReason.MALFORMED_APP_FRAME);
                    }
                    String room = ascii(in, 0, MAX_ROOM);
                    String from = ascii(in, 1, MAX_NAME);
                    yield new AppFrame.Line(id, time, (flags & HISTORY) != 0, (flags & PRIVATE) != 0, room, from, text(in));
                }
                case NOTICE -> new AppFrame.Notice(in.getLong(), text(in));
                case SEALED -> {
                    long time = in.getLong();
                    int flags = in.get() & 0xFF;
                    if ((flags & ~STORED) != 0) {
                        throw new FrameException(DropReason.MALFORMED_APP_FRAME);
                    }
                    yield new AppFrame.Sealed(time, flags == STORED, rest(in));
                }
                case BUNDLE -> new AppFrame.Bundle(ascii(in, 1, MAX_NAME), rest(in));
                case SEAL -> new AppFrame.Seal(ascii(in, 1, MAX_NAME), rest(in));
                case GET_BUNDLE -> new AppFrame.GetBundle(ascii(in, 1, MAX_NAME));
                case PUBLISH_PREKEY -> new AppFrame.PublishPrekey(in.getInt(), in.getLong(), bytes(in, 32), bytes(in, 64));
                default -> throw new FrameException(DropReason.MALFORMED_APP_FRAME);
            };
            if (in.hasRemaining()) {
                throw new FrameException(DropReason.MALFORMED_APP_FRAME);
            }
            return frame;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new FrameException(DropReason.MALFORMED_APP_FRAME);
        }
    }

    private static void name(ByteBuffer out, String name) {
        byte[] b = asciiBytes(name, 1, MAX_NAME);
        out.put((byte) b.length).put(b);
    }

    private static void room(ByteBuffer out, String room) {
        byte[] b = asciiBytes(room, 0, MAX_ROOM);
        out.put((byte) b.length).put(b);
    }

    private static byte[] asciiBytes(String s, int min, int max) {
        if (s.length() < min || s.length() > max || !s.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("a name or room is " + min + " to " + max + " printable ASCII characters");
        }
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String ascii(ByteBuffer in, int min, int max) throws FrameException {
        int length = in.get() & 0xFF;
        if (length < min || length > max) {
            throw new FrameException(DropReason.MALFORMED_APP_FRAME);
        }
        byte[] b = bytes(in, length);
        for (byte c : b) {
            if (c <= 0x20 || c >= 0x7F) {
                throw new FrameException(DropReason.MALFORMED_APP_FRAME);
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static String text(ByteBuffer in) throws FrameException {
        return Utf8.decode(rest(in), DropReason.MALFORMED_APP_FRAME);
    }

    private static byte[] rest(ByteBuffer in) {
        return bytes(in, in.remaining());
    }

    private static byte[] bytes(ByteBuffer in, int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
