package io.ciphergram.protocol.v2;

/**
 * The receiver's anti-replay filter for one direction of a v2 session: a sliding window over sequence
 * numbers, kept as a ring of 64-bit words as in RFC 6479 (the layout wireguard-go's {@code replay} package
 * uses, with an 8192-bit ring and an 8128 window). Ours is {@link V2Constants#REPLAY_RING_BITS} = 2048
 * bits, a window of {@link V2Constants#REPLAY_WINDOW_SIZE} = 1984 behind the highest accepted number;
 * DTLS makes do with 64 (RFC 6347 section 4.1.2.6), which drops real traffic under UDP reordering.
 *
 * <p>Use it in this order, so that a forged datagram can never move the window:
 * <ol>
 *   <li>{@link #wouldAccept} before decrypting (cheap rejection of replays and stale numbers);</li>
 *   <li>authenticate and decrypt;</li>
 *   <li>{@link #markSeen} after, and deliver only if it returns {@code true}: a duplicate that raced the
 *       first copy through decryption is caught here.</li>
 * </ol>
 * The ring is allocated by the first {@link #markSeen}: a session that never receives a record (a
 * handshake nobody completes) and a trial window for a next key phase that does not authenticate cost no
 * ring. Not thread-safe: each window has one owner (on the server, the relay thread; in a client, its I/O
 * thread).
 */
public final class ReplayWindow {

    private static final int BLOCK_BIT_LOG = 6; // 64-bit words
    private static final int BLOCK_BITS = 1 << BLOCK_BIT_LOG;
    private static final int RING_BLOCKS = V2Constants.REPLAY_RING_BITS / BLOCK_BITS;
    private static final int BLOCK_MASK = RING_BLOCKS - 1;
    private static final int BIT_MASK = BLOCK_BITS - 1;

    static {
        if (Integer.bitCount(RING_BLOCKS) != 1) {
            throw new AssertionError("the replay ring must be a power of two words");
        }
    }

    /** Null until the first number is marked; then {@link #RING_BLOCKS} words. */
    private long[] ring;
    /** The highest sequence number marked; 0 at the start, with its bit clear, so 0 is accepted once. */
    private long last;

    /** Whether {@code seq} is new and recent enough. Changes nothing. */
    public boolean wouldAccept(long seq) {
        if (outOfRange(seq)) {
            return false;
        }
        if (seq > last) {
            return true;
        }
        if (last - seq > V2Constants.REPLAY_WINDOW_SIZE) {
            return false;
        }
        return ring == null || (ring[blockIndex(seq)] & bit(seq)) == 0;
    }

    /**
     * Records {@code seq} as received; call it only once the datagram has authenticated.
     *
     * @return {@code true} if {@code seq} was new (deliver the datagram), {@code false} if it is a replay or
     *         too old (drop it)
     */
    public boolean markSeen(long seq) {
        if (outOfRange(seq)) {
            return false;
        }
        if (ring == null) {
            ring = new long[RING_BLOCKS];
        }
        if (seq > last) {
            long currentBlock = last >>> BLOCK_BIT_LOG;
            long newBlock = seq >>> BLOCK_BIT_LOG;
            long advance = Math.min(newBlock - currentBlock, RING_BLOCKS);
            for (long block = currentBlock + 1; block <= currentBlock + advance; block++) {
                ring[(int) (block & BLOCK_MASK)] = 0;
            }
            last = seq;
        } else if (last - seq > V2Constants.REPLAY_WINDOW_SIZE) {
            return false;
        }
        int index = blockIndex(seq);
        long before = ring[index];
        ring[index] = before | bit(seq);
        return ring[index] != before;
    }

    /** The highest sequence number marked so far. */
    public long highestSeen() {
        return last;
    }

    private static boolean outOfRange(long seq) {
        return seq < 0 || seq >= V2Constants.REJECT_AFTER_MESSAGES;
    }

    private static int blockIndex(long seq) {
        return (int) ((seq >>> BLOCK_BIT_LOG) & BLOCK_MASK);
    }

    private static long bit(long seq) {
        return 1L << (seq & BIT_MASK);
    }
}
