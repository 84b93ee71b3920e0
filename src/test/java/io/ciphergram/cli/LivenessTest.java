package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LivenessTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 7_000_000 * MS;

    @Test
    void aQuietServerIsAskedAfterFiveSecondsAndGoneFiveSecondsOfPingsLater() {
        Liveness liveness = new Liveness(T0);
        assertThat(liveness.poll(T0 + 4_999 * MS, false)).isEqualTo(Liveness.Action.NOTHING);
        assertThat(liveness.nextWakeNanos()).isEqualTo(T0 + 5_000 * MS);

        assertThat(liveness.poll(T0 + 5_000 * MS, false)).isEqualTo(Liveness.Action.PING);
        int pings = 1;
        long t;
        Liveness.Action action;
        do {
            t = liveness.nextWakeNanos();
            action = liveness.poll(t, false);
            pings += action == Liveness.Action.PING ? 1 : 0;
        } while (action != Liveness.Action.GONE);
        assertThat(t).isEqualTo(T0 + 10_000 * MS);
        assertThat(pings).as("a Ping every half second while owed").isEqualTo(10);
    }

    @Test
    void anAnswerPaysWhatIsOwedAndTheQuietCountStartsAgain() {
        Liveness liveness = new Liveness(T0);
        liveness.poll(T0 + 5_000 * MS, false);
        liveness.poll(T0 + 9_000 * MS, false);

        liveness.heard(T0 + 9_100 * MS);

        assertThat(liveness.poll(T0 + 13_000 * MS, false)).isEqualTo(Liveness.Action.NOTHING);
        assertThat(liveness.nextWakeNanos()).isEqualTo(T0 + 14_100 * MS);
    }

    @Test
    void unacknowledgedDataIsOwedAnAnswerAtOnceWithoutWaitingForTheQuietTime() {
        Liveness liveness = new Liveness(T0);

        assertThat(liveness.poll(T0 + 100 * MS, true)).as("the data asks itself").isEqualTo(Liveness.Action.NOTHING);
        assertThat(liveness.poll(T0 + 600 * MS, true)).isEqualTo(Liveness.Action.PING);
        assertThat(liveness.poll(T0 + 5_099 * MS, true)).isNotEqualTo(Liveness.Action.GONE);
        assertThat(liveness.poll(T0 + 5_100 * MS, true)).isEqualTo(Liveness.Action.GONE);
    }
}
