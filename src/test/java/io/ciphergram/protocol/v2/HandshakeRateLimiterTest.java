package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.Peers;
import io.ciphergram.protocol.PeerId;

class HandshakeRateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    private static final PeerId ALICE = Peers.udp("192.0.2.1", 40000);
    private static final PeerId BOB = Peers.udp("198.51.100.7", 40000);

    private final HandshakeRateLimiter limiter = new HandshakeRateLimiter();

    @Test
    void aQuietSourceGetsABurstOfFiveThenIsLimited() {
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.allow(ALICE, 0)).as("initiation %d", i).isTrue();
        }
        assertThat(limiter.allow(ALICE, 0)).isFalse();
    }

    @Test
    void refillsAtTwentyPerSecond() {
        for (int i = 0; i < 5; i++) {
            limiter.allow(ALICE, 0);
        }

        assertThat(limiter.allow(ALICE, SECOND / 20 - 1)).isFalse();
        assertThat(limiter.allow(ALICE, SECOND / 20)).isTrue();
        assertThat(limiter.allow(ALICE, SECOND / 20)).isFalse();

        int allowed = 0;
        for (long t = SECOND / 20; t <= SECOND / 20 + 10 * SECOND; t += SECOND / 1000) {
            if (limiter.allow(ALICE, t)) {
                allowed++;
            }
        }
        assertThat(allowed).isBetween(199, 201); // 20/s over 10 s, nothing banked
    }

    @Test
    void sourcesAreLimitedIndependently() {
        for (int i = 0; i < 5; i++) {
            limiter.allow(ALICE, 0);
        }

        assertThat(limiter.allow(ALICE, 0)).isFalse();
        assertThat(limiter.allow(BOB, 0)).isTrue();
    }

    @Test
    void changingPortDoesNotEscapeTheLimit() {
        for (int port = 1000; port < 1005; port++) {
            assertThat(limiter.allow(Peers.udp("192.0.2.1", port), 0)).isTrue();
        }

        assertThat(limiter.allow(Peers.udp("192.0.2.1", 2000), 0)).isFalse();
    }

    @Test
    void anIpv6SourceIsItsSlash64() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(20, 5, 100);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.allow(Peers.udp("2001:db8:1:2:0:0:0:" + (i + 1), 5000), 0)).isTrue();
        }
        assertThat(limiter.allow(Peers.udp("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 6000), 0)).as("same /64").isFalse();
        assertThat(limiter.allow(Peers.udp("2001:db8:1:3:0:0:0:1", 5000), 0)).as("another /64").isTrue();
    }

    @Test
    void remembersAtMostTheConfiguredNumberOfSourcesForgettingTheLeastRecentlySeen() {
        HandshakeRateLimiter small = new HandshakeRateLimiter(20, 5, 3);
        PeerId carol = Peers.udp("203.0.113.9", 1);
        for (int i = 0; i < 5; i++) {
            small.allow(ALICE, 0);
        }
        small.allow(BOB, 0);
        small.allow(ALICE, 0); // Alice is now the most recently seen, and still limited
        small.allow(carol, 0);

        for (int i = 0; i < 100; i++) {
            small.allow(Peers.udp("10.0.0." + i, 1), 0);
            small.allow(ALICE, 0);
        }

        assertThat(small.trackedSources()).isEqualTo(3);
        assertThat(small.allow(ALICE, 0)).as("a source kept busy is never forgotten").isFalse();
    }

    @Test
    void aForgottenSourceStartsAgainWithAFullBurst() {
        HandshakeRateLimiter small = new HandshakeRateLimiter(20, 5, 2);
        for (int i = 0; i < 5; i++) {
            small.allow(ALICE, 0);
        }
        small.allow(BOB, 0);
        small.allow(Peers.udp("203.0.113.9", 1), 0);

        assertThat(small.trackedSources()).isEqualTo(2);
        assertThat(small.allow(ALICE, 0)).isTrue();
    }

    @Test
    void defaultsAreWireGuardsRates() {
        assertThat(V2Constants.HANDSHAKE_PACKETS_PER_SECOND).isEqualTo(20);
        assertThat(V2Constants.HANDSHAKE_PACKETS_BURSTABLE).isEqualTo(5);
    }
}
