package io.ciphergram.session;

/**
 * The ciphertext blocks the server has sent one classic session, so that it never accepts any of them back
 * as input (docs/PROTOCOL.md, "Threat model (classic)"). The classic key protects both directions and CBC
 * has no MAC, so a datagram the server sent (a private message, say), sent back from the client's forged
 * address, would decrypt as the client's own text; and with its IV or neighbouring blocks changed, its
 * blocks decrypt to text the attacker partly chooses ({@code /msg mallory …}). The format cannot change;
 * the server's defence is to recognise its own blocks, wherever they appear in an input.
 *
 * <p>Memory per session is bounded: two Bloom filters (the current and the previous generation), each
 * holding {@code window} blocks in {@value #BITS_PER_BLOCK} bits apiece with {@value #PROBES} probes, so at
 * least the last {@code window} blocks sent (and at most twice that) are recognised, with a false match
 * rate under 2.2e-7 per block and filter. The blocks are AES outputs, pseudorandom to anyone without the
 * key, so their own bits index the filters. Filters are allocated on first use, so a session that was never
 * sent anything costs nothing. Relay-thread state.
 */
public final class SentBlocks {

    static final int BLOCK = 16;
    static final int BITS_PER_BLOCK = 32;
    /** The optimal k for 32 bits per element: 32 ln 2 ≈ 22. */
    static final int PROBES = 22;

    private final int window;
    private final long bits;
    private long[] current;
    private long[] previous;
    private int inCurrent;

    /** @param window blocks per generation, at least 1 */
    public SentBlocks(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the reflection window holds at least one block");
        }
        this.window = window;
        this.bits = (long) window * BITS_PER_BLOCK;
    }

    /** Records the ciphertext blocks of {@code ivAndCiphertext} (the IV, chosen at random, is not one). */
    public void record(byte[] ivAndCiphertext) {
        for (int at = BLOCK; at + BLOCK <= ivAndCiphertext.length; at += BLOCK) {
            if (current == null) {
                current = new long[(int) ((bits + 63) / 64)];
            } else if (inCurrent == window) {
                previous = current;
                current = new long[previous.length];
                inCurrent = 0;
            }
            set(current, ivAndCiphertext, at);
            inCurrent++;
        }
    }

    /** Whether any 16-byte block of {@code ivAndCiphertext} after the IV (or the IV's place) is one the server sent. */
    public boolean containsAnyOf(byte[] ivAndCiphertext) {
        if (current == null) {
            return false;
        }
        for (int at = 0; at + BLOCK <= ivAndCiphertext.length; at += BLOCK) {
            if (test(current, ivAndCiphertext, at) || (previous != null && test(previous, ivAndCiphertext, at))) {
                return true;
            }
        }
        return false;
    }

    /** Bytes of filter held now; for the memory figures. */
    public long footprintBytes() {
        return 8L * ((current == null ? 0 : current.length) + (previous == null ? 0 : previous.length));
    }

    private void set(long[] filter, byte[] block, int at) {
        long h1 = word(block, at);
        long h2 = word(block, at + 8) | 1;
        for (int i = 0; i < PROBES; i++) {
            long bit = Long.remainderUnsigned(h1 + i * h2, bits);
            filter[(int) (bit >>> 6)] |= 1L << bit;
        }
    }

    private boolean test(long[] filter, byte[] block, int at) {
        long h1 = word(block, at);
        long h2 = word(block, at + 8) | 1;
        for (int i = 0; i < PROBES; i++) {
            long bit = Long.remainderUnsigned(h1 + i * h2, bits);
            if ((filter[(int) (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    private static long word(byte[] b, int at) {
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w = (w << 8) | (b[at + i] & 0xFF);
        }
        return w;
    }
}
