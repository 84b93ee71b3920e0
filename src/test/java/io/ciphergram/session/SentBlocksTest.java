package io.ciphergram.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void everyBlockEverSentIsRecognisedWhereverItAppears() {
        SentBlocks sent = new SentBlocks(1 << 17);
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) { // 84,000 blocks: far more than the old window of 4,096 to 8,192
            byte[] d = datagram(7);
            sent.record(d);
            all.add(d);
        }
        for (byte[] d : List.of(all.get(0), all.get(1), all.get(5_000), all.get(all.size() - 1))) {
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
    void aSessionSentLittleHoldsLittleAndAFullOneItsBoundAtMost() {
        SentBlocks sent = new SentBlocks(1 << 17);
        assertThat(sent.footprintBytes()).isZero();
        sent.record(datagram(7));
        assertThat(sent.footprintBytes()).isEqualTo(SentBlocks.FIRST_GENERATION * SentBlocks.BITS_PER_BLOCK / 8);
        while (sent.room() >= 7) {
            sent.record(datagram(7));
        }
        assertThat(sent.footprintBytes()).isLessThanOrEqualTo((1L << 17) * SentBlocks.BITS_PER_BLOCK / 8 + 64);
    }

    @Test
    void nothingMayBeRecordedPastTheBound() {
        SentBlocks sent = new SentBlocks(10);
        sent.record(datagram(7));
        assertThat(sent.room()).isEqualTo(3);
        assertThatThrownBy(() -> sent.record(datagram(4))).isInstanceOf(IllegalStateException.class);
        sent.record(datagram(3));
        assertThat(sent.room()).isZero();
    }

    @Test
    void blocksNeverSentAreAlmostNeverMistakenForSentOnes() {
        SentBlocks sent = new SentBlocks(1 << 17);
        for (int i = 0; i < 18_000; i++) {
            sent.record(datagram(7)); // 126,000 blocks: every filter up to the largest
        }
        int mistaken = 0;
        for (int i = 0; i < 200_000; i++) {
            if (sent.containsAnyOf(datagram(7))) {
                mistaken++;
            }
        }
        // About 2e-9 per block and filter, 8 blocks against 5 filters: 0.02 expected in 200,000. A weak hash
        // (the earlier double hashing modulo a power of two) made 7 against two filters.
        assertThat(mistaken).isLessThanOrEqualTo(1);
    }
}
