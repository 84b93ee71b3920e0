package io.ciphergram.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SentBlocksTest {

    private final Random random = new Random(4711);

    /** An IV and {@code blocks} ciphertext blocks of random bytes, as AES output looks. */
    private byte[] datagram(int blocks) {
        byte[] d = new byte[16 * (blocks + 1)];
        random.nextBytes(d);
        return d;
    }

    @Test
    void everyBlockOfTheLastWindowIsRecognisedWhereverItAppears() {
        int window = 4096;
        SentBlocks sent = new SentBlocks(window);
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < 3 * window / 7; i++) {
            byte[] d = datagram(7);
            sent.record(d);
            all.add(d);
        }
        int recent = window / 7; // the last datagrams, a window of blocks
        for (byte[] d : all.subList(all.size() - recent, all.size())) {
            for (int block = 1; block <= 7; block++) {
                byte[] alone = Arrays.copyOfRange(d, 16 * block, 16 * block + 16);
                byte[] asIv = new byte[32];
                System.arraycopy(alone, 0, asIv, 0, 16);
                assertThat(sent.containsAnyOf(asIv)).as("a block sent, in the IV's place").isTrue();
                byte[] inside = datagram(3);
                System.arraycopy(alone, 0, inside, 32, 16);
                assertThat(sent.containsAnyOf(inside)).as("a block sent, among others").isTrue();
            }
        }
    }

    @Test
    void aSessionSentLittleHoldsLittleAndAFullOneABoundedAmount() {
        SentBlocks sent = new SentBlocks(4096);
        assertThat(sent.footprintBytes()).isZero();
        sent.record(datagram(7));
        assertThat(sent.footprintBytes()).isEqualTo(SentBlocks.FIRST_GENERATION * SentBlocks.BITS_PER_BLOCK / 8);
        for (int i = 0; i < 10_000; i++) {
            sent.record(datagram(7));
        }
        assertThat(sent.footprintBytes()).isLessThanOrEqualTo(2L * 4096 * SentBlocks.BITS_PER_BLOCK / 8);
    }

    @Test
    void blocksNeverSentAreAlmostNeverMistakenForSentOnes() {
        SentBlocks sent = new SentBlocks(4096);
        for (int i = 0; i < 20_000; i++) {
            sent.record(datagram(7)); // two full generations and more
        }
        int mistaken = 0;
        for (int i = 0; i < 200_000; i++) {
            if (sent.containsAnyOf(datagram(7))) {
                mistaken++;
            }
        }
        // About 2e-9 per block and generation, 16 tests a datagram: 0.006 expected in 200,000. A weak hash
        // (the earlier double hashing modulo a power of two) made 7.
        assertThat(mistaken).isLessThanOrEqualTo(1);
    }
}
