package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.ciphergram.session.Confinement;

/** The relay thread's heartbeat, which liveness watches: it stops while a task is stuck. */
class RelayLoopTest {

    @Test
    void theTimeSinceTheLastTurnGrowsOnlyWhileATaskHoldsTheThread() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        try (RelayLoop loop = new RelayLoop(clock::get, Confinement.firstUse())) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
            clock.addAndGet(TimeUnit.SECONDS.toNanos(11));
            assertThat(loop.sinceLastTurnNanos()).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(11));

            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> loop.sinceLastTurnNanos() < RelayLoop.HEARTBEAT);
        }
    }
}
