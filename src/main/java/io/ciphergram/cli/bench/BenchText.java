package io.ciphergram.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * The text of a benchmark message: {@code RUN CLIENT SEQ SENT xxxx…}, ASCII, where RUN is this run's tag
 * (so texts of other runs or other users in the room are never counted), CLIENT the sending client's
 * index, SEQ the message's number in the run (one sequence across all clients), SENT the sender's clock
 * ({@code System.nanoTime()} less the run's epoch, so never negative) when it was handed to the
 * protocol, and the padding brings the text to the requested size. The relay delivers it as
 * {@code NAME: RUN CLIENT …}; the plain baseline relay delivers it as it is; {@link #parse} takes both.
 * Formatting and parsing work on bytes, without strings, since every delivery is parsed.
 */
public final class BenchText {

    private static final byte SPACE = ' ';
    private static final byte PAD = 'x';
    private static final int MAX_INT_DIGITS = 9;
    private static final int MAX_LONG_DIGITS = 18;
    private static final String TAG_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** The fields of one parsed text; reused by its owner from delivery to delivery. */
    public static final class Parsed {
        public int client;
        public long seq;
        public long sentNanos;
    }

    private final byte[] run;

    /** @param run the run's tag: 1 to 16 ASCII letters and digits */
    public BenchText(String run) {
        if (run.isEmpty() || run.length() > 16 || !run.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c))) {
            throw new IllegalArgumentException("a run tag is 1 to 16 ASCII letters and digits, got " + run);
        }
        this.run = run.getBytes(StandardCharsets.US_ASCII);
    }

    /** A fresh 6-character tag. */
    public static String randomRun(RandomGenerator random) {
        StringBuilder tag = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            tag.append(TAG_ALPHABET.charAt(random.nextInt(TAG_ALPHABET.length())));
        }
        return tag.toString();
    }

    public String run() {
        return new String(run, StandardCharsets.US_ASCII);
    }

    /**
     * The text for one message, {@code size} bytes long where the fields fit (a size too small for them
     * gives just the fields; padding is at least one space and one {@code x}, so nothing can strip it).
     */
    public byte[] format(int client, long seq, long sentNanos, int size) {
        if (client < 0 || seq < 0 || sentNanos < 0) {
            throw new IllegalArgumentException("fields are non-negative");
        }
        int fields = run.length + 1 + digits(client) + 1 + digits(seq) + 1 + digits(sentNanos);
        int length = size <= fields ? fields : Math.max(size, fields + 2);
        byte[] text = new byte[length];
        System.arraycopy(run, 0, text, 0, run.length);
        int at = run.length;
        text[at++] = SPACE;
        at = writeDecimal(text, at, client);
        text[at++] = SPACE;
        at = writeDecimal(text, at, seq);
        text[at++] = SPACE;
        at = writeDecimal(text, at, sentNanos);
        if (at < length) {
            text[at++] = SPACE;
            while (at < length) {
                text[at++] = PAD;
            }
        }
        return text;
    }

    /**
     * Reads a delivered text into {@code into}: either this run's text as sent, or the relay's
     * {@code NAME: } followed by it.
     *
     * @return false (and {@code into} is undefined) if the text is not one of this run's messages: a
     *         notice, another run's message, anything malformed
     */
    public boolean parse(byte[] text, int offset, int length, Parsed into) {
        int end = offset + length;
        int at = offset;
        if (!startsWithRun(text, at, end)) {
            at = afterNamePrefix(text, offset, end);
            if (at < 0 || !startsWithRun(text, at, end)) {
                return false;
            }
        }
        at += run.length + 1;
        long client = decimal(text, at, end, MAX_INT_DIGITS);
        if (client < 0) {
            return false;
        }
        at += digits(client);
        if (at >= end || text[at++] != SPACE) {
            return false;
        }
        long seq = decimal(text, at, end, MAX_LONG_DIGITS);
        if (seq < 0) {
            return false;
        }
        at += digits(seq);
        if (at >= end || text[at++] != SPACE) {
            return false;
        }
        long sent = decimal(text, at, end, MAX_LONG_DIGITS);
        if (sent < 0) {
            return false;
        }
        at += digits(sent);
        if (at < end && text[at] != SPACE) {
            return false;
        }
        into.client = (int) client;
        into.seq = seq;
        into.sentNanos = sent;
        return true;
    }

    public boolean parse(byte[] text, Parsed into) {
        return parse(text, 0, text.length, into);
    }

    private boolean startsWithRun(byte[] text, int at, int end) {
        if (end - at < run.length + 1) {
            return false;
        }
        for (int i = 0; i < run.length; i++) {
            if (text[at + i] != run[i]) {
                return false;
            }
        }
        return text[at + run.length] == SPACE;
    }

    /** Where the text after the relay's {@code NAME: } starts, or -1 if there is none. */
    private static int afterNamePrefix(byte[] text, int offset, int end) {
        for (int i = offset; i + 1 < end; i++) {
            if (text[i] == ':' && text[i + 1] == SPACE) {
                return i + 2;
            }
        }
        return -1;
    }

    /**
     * The decimal number at {@code at} as {@link #format} writes it (no leading zero, at most
     * {@code maxDigits} digits, so it cannot overflow), or -1 if there is none.
     */
    private static long decimal(byte[] text, int at, int end, int maxDigits) {
        long value = 0;
        int i = at;
        while (i < end && isDigit(text[i])) {
            if (i - at == maxDigits) {
                return -1;
            }
            value = value * 10 + (text[i++] - '0');
        }
        if (i == at || (text[at] == '0' && i - at > 1)) {
            return -1;
        }
        return value;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static int digits(long value) {
        int n = 1;
        while (value >= 10) {
            value /= 10;
            n++;
        }
        return n;
    }

    private static int writeDecimal(byte[] into, int at, long value) {
        int end = at + digits(value);
        for (int i = end - 1; i >= at; i--) {
            into[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return end;
    }
}
