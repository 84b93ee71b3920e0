package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import org.junit.jupiter.api.Test;

class IvSourceTest {

    @Test
    void ivsNeverRepeatAcrossBatchesAndDifferBetweenSources() {
        IvSource one = new IvSource(new SecureRandom());
        IvSource two = new IvSource(new SecureRandom());
        Set<String> seen = new HashSet<>();
        byte[] iv = new byte[16];
        for (int i = 0; i < 20 * IvSource.BATCH_BLOCKS + 3; i++) {
            one.next(iv);
            assertThat(seen.add(HexFormat.of().formatHex(iv))).as("IV %d is new", i).isTrue();
            two.next(iv);
            assertThat(seen.add(HexFormat.of().formatHex(iv))).as("the other source's IV %d is new", i).isTrue();
        }
    }

    @Test
    void anIvLooksRandomNotLikeACounter() {
        IvSource source = new IvSource(new SecureRandom());
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        source.next(a);
        source.next(b);
        int differingBits = 0;
        for (int i = 0; i < 16; i++) {
            differingBits += Integer.bitCount((a[i] ^ b[i]) & 0xFF);
        }
        // Consecutive counter values differ in a bit or two; AES outputs in about half of 128.
        assertThat(differingBits).isBetween(20, 108);
    }
}
