package io.ciphergram.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PendingWritesTest {

    private static final long T0 = 1_000_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private final PendingWrites pending = new PendingWrites(1000, 2500);

    @Test
    void aConnectionHasStalledWhenNothingOfItsHasBeenWrittenForAWhile() {
        PendingWrites.Account reader = new PendingWrites.Account();
        PendingWrites.Account stopped = new PendingWrites.Account();
        assertThat(reader.stalled(T0 + 10 * SECOND, SECOND)).as("holding nothing").isFalse();
        pending.reserve(reader, 500, T0);
        pending.reserve(stopped, 500, T0);
        pending.release(reader, 100, T0 + SECOND);
        pending.reserve(reader, 500, T0 + SECOND + 1);
        assertThat(reader.stalled(T0 + SECOND + SECOND / 2, SECOND)).as("written to a moment ago").isFalse();
        assertThat(stopped.stalled(T0 + SECOND + SECOND / 2, SECOND)).isTrue();
    }

    @Test
    void aConnectionMayHoldUpToItsBoundAndWhatIsWrittenIsFreed() {
        PendingWrites.Account a = new PendingWrites.Account();
        assertThat(pending.reserve(a, 600, T0)).isEqualTo(PendingWrites.Reservation.GRANTED);
        assertThat(pending.reserve(a, 400, T0)).isEqualTo(PendingWrites.Reservation.GRANTED);
        assertThat(pending.reserve(a, 1, T0)).isEqualTo(PendingWrites.Reservation.OVER_CONNECTION_BOUND);
        assertThat(pending.bytes()).isEqualTo(1000);
        pending.release(a, 600, T0);
        assertThat(a.held()).isEqualTo(400);
        assertThat(pending.bytes()).isEqualTo(400);
        assertThat(pending.reserve(a, 600, T0)).isEqualTo(PendingWrites.Reservation.GRANTED);
    }

    @Test
    void theTotalCountsEveryConnectionAndAClosedOneCountsNoMore() {
        PendingWrites.Account a = new PendingWrites.Account();
        PendingWrites.Account b = new PendingWrites.Account();
        PendingWrites.Account c = new PendingWrites.Account();
        pending.reserve(a, 1000, T0);
        pending.reserve(b, 1000, T0);
        assertThat(pending.overTotal()).isFalse();
        pending.reserve(c, 600, T0);
        assertThat(pending.overTotal()).isTrue();

        pending.close(a);
        assertThat(pending.bytes()).isEqualTo(1600);
        assertThat(pending.overTotal()).isFalse();
        assertThat(pending.reserve(a, 1, T0)).isEqualTo(PendingWrites.Reservation.CLOSED);
        // its writes fail later, once its channel is closed: the total is not taken down twice
        pending.release(a, 1000, T0);
        pending.close(a);
        assertThat(pending.bytes()).isEqualTo(1600);
        assertThat(a.held()).isZero();
    }

    @Test
    void writesCompletingWhileTheConnectionIsClosedAreCountedOnce() throws Exception {
        PendingWrites.Account a = new PendingWrites.Account();
        for (int i = 0; i < 1000; i++) {
            pending.reserve(a, 1, T0);
        }
        Thread releasing = new Thread(() -> {
            for (int i = 0; i < 1000; i++) {
                pending.release(a, 1, T0);
            }
        });
        releasing.start();
        pending.close(a);
        releasing.join();
        assertThat(pending.bytes()).isZero();
        assertThat(a.held()).isZero();
    }

    @Test
    void boundsMustLeaveRoomForOneConnection() {
        assertThatThrownBy(() -> new PendingWrites(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PendingWrites(100, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
