package io.ciphergram.session;

import java.util.ArrayList;
import java.util.List;

/**
 * The ciphertext blocks the server has sent one classic session, so that it never accepts any of them back
 * as input (docs/PROTOCOL.md, "Threat model (classic)"). The classic key protects both directions and CBC
 * has no MAC, so a datagram the server sent (a private message, say), sent back from the client's forged
 * address, would decrypt as the client's own text; and with its IV or neighbouring blocks changed, its
 * blocks decrypt to text the attacker partly chooses ({@code /msg mallory …}). The format cannot change;
 * the server's defence is to recognise its own blocks, wherever they appear in an input.
 *
 * <p>Every block sent in the session's life is remembered (nothing is ever forgotten, so no one can push
 * an old private message out by having the server send more), up to {@code limit} blocks: the session's
 * bound, beyond which the server sends it nothing more ({@link #room}) and ends it. The blocks are kept in
 * Bloom filters, {@value #BITS_PER_BLOCK} bits per block and {@value #PROBES} probes: at full, a block the
 * server never sent matches one filter with probability about 2e-9, so a legitimate message (its IV and
 * blocks tested against every filter) is dropped as {@code reflected} about once in ten million. Filters
 * start small and grow fourfold up to {@value #MAX_GENERATION} blocks each, so a session that was sent
 * little holds little (nothing until its first datagram; 768 KiB at the default bound of 2^17 blocks).
 * The blocks are AES outputs, pseudorandom to anyone without the key; the probes are derived from them by a
 * 64-bit mixer and reduced to a filter position by multiplication, never by division. Relay-thread state.
 */
public final class SentBlocks {

    static final int BLOCK = 16;
    static final int BITS_PER_BLOCK = 48;
    static final int PROBES = 16;
    /** The first filter's size in blocks (if the bound is larger). */
    static final int FIRST_GENERATION = 256;
    /** The largest filter, in blocks; more are added as they fill. */
    static final int MAX_GENERATION = 65_536;

    /** One Bloom filter of at most {@code capacity} blocks. */
    private static final class Generation {
        final long[] words;
        final long bits;
        final int capacity;
        int count;

        Generation(int capacity) {
            this.capacity = capacity;
            this.bits = (long) capacity * BITS_PER_BLOCK;
            this.words = new long[(int) ((bits + 63) >>> 6)];
        }
    }

    private final int limit;
    /** Oldest first; the last is the one being filled. */
    private final List<Generation> generations = new ArrayList<>(3);
    private long recorded;

    /** @param limit blocks this session may be sent in its life, at least 1 */
    public SentBlocks(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a session may be sent at least one block");
        }
        this.limit = limit;
    }

    /** Ciphertext blocks of a datagram of {@code ivAndCiphertextLength} bytes (the IV is not one). */
    public static int blocksOf(int ivAndCiphertextLength) {
        return Math.max(0, ivAndCiphertextLength / BLOCK - 1);
    }

    /** How many more blocks this session may be sent before its bound. */
    public long room() {
        return limit - recorded;
    }

    /** The bound: blocks it may be sent in its life. */
    public int limit() {
        return limit;
    }

    /**
     * Records the ciphertext blocks of {@code ivAndCiphertext} (the IV, chosen at random, is not one). The
     * caller checks {@link #room()} first: past the bound, nothing may be sent.
     */
    public void record(byte[] ivAndCiphertext) {
        if (blocksOf(ivAndCiphertext.length) > room()) {
            throw new IllegalStateException("past the session's bound: nothing more may be sent to it");
        }
        for (int at = BLOCK; at + BLOCK <= ivAndCiphertext.length; at += BLOCK) {
            Generation current = filling();
            long w0 = word(ivAndCiphertext, at);
            long w1 = word(ivAndCiphertext, at + 8);
            for (int i = 0; i < PROBES; i += 2) {
                long mixed = mix((w0 + i * GOLDEN) ^ w1);
                set(current, mixed & 0xFFFF_FFFFL);
                set(current, mixed >>> 32);
            }
            current.count++;
            recorded++;
        }
    }

    /** Whether any 16-byte block of {@code ivAndCiphertext} after the IV (or the IV's place) is one the server sent. */
    public boolean containsAnyOf(byte[] ivAndCiphertext) {
        if (generations.isEmpty()) {
            return false;
        }
        for (int at = 0; at + BLOCK <= ivAndCiphertext.length; at += BLOCK) {
            long w0 = word(ivAndCiphertext, at);
            long w1 = word(ivAndCiphertext, at + 8);
            for (Generation g : generations) {
                if (contains(g, w0, w1)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Bytes of filter held now; for the memory figures. */
    public long footprintBytes() {
        long bytes = 0;
        for (Generation g : generations) {
            bytes += 8L * g.words.length;
        }
        return bytes;
    }

    /** The filter to add to: a new one, four times larger up to the largest, when the last is full. */
    private Generation filling() {
        Generation last = generations.isEmpty() ? null : generations.get(generations.size() - 1);
        if (last != null && last.count < last.capacity) {
            return last;
        }
        long left = limit - recorded;
        int grown = last == null ? FIRST_GENERATION : (int) Math.min(MAX_GENERATION, 4L * last.capacity);
        Generation next = new Generation((int) Math.max(1, Math.min(left, grown)));
        generations.add(next);
        return next;
    }

    private static boolean contains(Generation g, long w0, long w1) {
        for (int i = 0; i < PROBES; i += 2) {
            long mixed = mix((w0 + i * GOLDEN) ^ w1);
            if (!test(g, mixed & 0xFFFF_FFFFL) || !test(g, mixed >>> 32)) {
                return false;
            }
        }
        return true;
    }

    /** A position in the filter from 32 random bits: multiply-shift range reduction (Lemire), no division. */
    private static long position(Generation g, long random32) {
        return (random32 * g.bits) >>> 32;
    }

    private static void set(Generation g, long random32) {
        long bit = position(g, random32);
        g.words[(int) (bit >>> 6)] |= 1L << bit;
    }

    private static boolean test(Generation g, long random32) {
        long bit = position(g, random32);
        return (g.words[(int) (bit >>> 6)] & (1L << bit)) != 0;
    }

    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    /** MurmurHash3's 64-bit finaliser: every output bit depends on every input bit. */
    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xFF51_AFD7_ED55_8CCDL;
        x ^= x >>> 33;
        x *= 0xC4CE_B9FE_1A85_EC53L;
        return x ^ (x >>> 33);
    }

    private static long word(byte[] b, int at) {
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w = (w << 8) | (b[at + i] & 0xFF);
        }
        return w;
    }
}
