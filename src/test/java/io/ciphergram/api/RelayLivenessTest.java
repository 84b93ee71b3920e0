package io.ciphergram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponse.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ciphergram.relay.RelayLoop;
import io.ciphergram.session.Confinement;

/**
 * Liveness goes DOWN when the relay thread stops taking turns, whether one task holds it or it has ended,
 * and comes back UP when it turns again. A real relay thread on a clock the test moves: the ten seconds
 * that mean "stuck" pass at once, and nothing but the thread's own turns sets the time of the last one.
 */
class RelayLivenessTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RelayLoop loop = new RelayLoop(now::get, Confinement.firstUse());
    private final HealthCheck live = HealthChecks.liveness(loop);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        loop.close();
    }

    @Test
    void aRelayThreadHeldByOneTaskIsReportedDownAndUpAgainOnceItTurns() throws Exception {
        assertThat(live.call().getStatus()).isEqualTo(Status.UP);
        CountDownLatch holding = new CountDownLatch(1);
        loop.execute(() -> {
            holding.countDown();
            awaitQuietly(release);
        });
        assertThat(holding.await(5, TimeUnit.SECONDS)).as("the relay thread runs the task").isTrue();

        now.addAndGet(HealthChecks.STUCK_NANOS - 1);
        assertThat(live.call().getStatus()).as("just under the limit").isEqualTo(Status.UP);
        now.addAndGet(1);
        HealthCheckResponse stuck = live.call();
        assertThat(stuck.getStatus()).as("held for the whole limit").isEqualTo(Status.DOWN);
        assertThat(stuck.getName()).isEqualTo("relay (udp, ws)");
        assertThat(stuck.getData()).hasValueSatisfying(data -> assertThat(data)
                .containsEntry("last-turn-ms-ago", TimeUnit.NANOSECONDS.toMillis(HealthChecks.STUCK_NANOS)));

        release.countDown();
        loop.execute(() -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> live.call().getStatus() == Status.UP);
    }

    @Test
    void aRelayThreadThatHasEndedIsReportedDown() {
        loop.close();
        now.addAndGet(HealthChecks.STUCK_NANOS);
        assertThat(live.call().getStatus()).isEqualTo(Status.DOWN);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
