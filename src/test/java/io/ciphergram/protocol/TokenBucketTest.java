package io.ciphergram.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsABurstThenTheSteadyRate() {
        TokenBucket bucket = new TokenBucket(10, 20, 0);
        int taken = 0;
        while (bucket.tryTake(0)) {
            taken++;
        }
        assertThat(taken).isEqualTo(20);
        assertThat(bucket.nanosUntilToken(0)).isEqualTo(SECOND / 10);
        assertThat(bucket.tryTake(SECOND / 10 - 1)).isFalse();
        assertThat(bucket.tryTake(SECOND / 10)).isTrue();
        int inOneSecond = 0;
        for (long t = SECOND / 10; t <= SECOND / 10 + SECOND; t += SECOND / 100) {
            if (bucket.tryTake(t)) {
                inOneSecond++;
            }
        }
        assertThat(inOneSecond).isEqualTo(10);
    }

    @Test
    void neverHoldsMoreThanTheBurst() {
        TokenBucket bucket = new TokenBucket(10, 5, 0);
        int taken = 0;
        while (bucket.tryTake(100 * SECOND)) {
            taken++;
        }
        assertThat(taken).isEqualTo(5);
    }

    @Test
    void zeroRateDisablesTheLimit() {
        TokenBucket bucket = new TokenBucket(0, 20, 0);
        for (int i = 0; i < 10_000; i++) {
            assertThat(bucket.tryTake(0)).isTrue();
        }
        assertThat(bucket.unlimited()).isTrue();
    }
}
