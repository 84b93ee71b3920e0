package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.testing.Peers;

class CookieJarTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long LIFETIME = V2Constants.COOKIE_SECRET_LIFETIME_NANOS;
    private static final long START = -5 * SECOND; // System.nanoTime() may be negative
    private static final PeerId ALICE = Peers.udp("192.0.2.1", 40000);

    private final CookieJar jar = new CookieJar(new SecureRandom(), START);

    @Test
    void aCookieVerifiesForThePeerItWasIssuedTo() {
        byte[] cookie = jar.issue(ALICE, START + SECOND);

        assertThat(cookie).hasSize(16);
        assertThat(jar.verify(ALICE, cookie, START + 2 * SECOND)).isTrue();
    }

    @Test
    void aCookieIsBoundToThePeersAddressPortAndTransport() {
        byte[] cookie = jar.issue(ALICE, START);

        assertThat(jar.verify(Peers.udp("192.0.2.2", 40000), cookie, START)).isFalse();
        assertThat(jar.verify(Peers.udp("192.0.2.1", 40001), cookie, START)).isFalse();
        assertThat(jar.verify(PeerId.connection("ws", new InetSocketAddress(Peers.ip("192.0.2.1"), 40000), 1), cookie,
                START)).isFalse();
    }

    @Test
    void aCookieIssuedJustBeforeRotationStillVerifiesAfterIt() {
        byte[] cookie = jar.issue(ALICE, START + LIFETIME - 1);

        assertThat(jar.verify(ALICE, cookie, START + LIFETIME)).isTrue();
        assertThat(jar.verify(ALICE, cookie, START + 2 * LIFETIME - 1)).isTrue();
    }

    @Test
    void aCookieExpiresTwoRotationsLater() {
        byte[] cookie = jar.issue(ALICE, START);

        assertThat(jar.verify(ALICE, cookie, START + 2 * LIFETIME)).isFalse();
    }

    @Test
    void aCookieIssuedLongBeforeAQuietSpellNeverComesBack() {
        byte[] cookie = jar.issue(ALICE, START);

        assertThat(jar.verify(ALICE, cookie, START + 10 * LIFETIME)).isFalse();
        assertThat(jar.verify(ALICE, cookie, START + 11 * LIFETIME)).isFalse();
    }

    @Test
    void rotationChangesTheCookieForTheSamePeer() {
        byte[] before = jar.issue(ALICE, START);
        byte[] after = jar.issue(ALICE, START + LIFETIME);

        assertThat(after).isNotEqualTo(before);
        assertThat(jar.issue(ALICE, START + LIFETIME + SECOND)).isEqualTo(after);
    }

    @Test
    void aTamperedTruncatedOrMissingCookieFails() {
        byte[] cookie = jar.issue(ALICE, START);
        for (int i = 0; i < cookie.length; i++) {
            byte[] tampered = cookie.clone();
            tampered[i] ^= 0x01;
            assertThat(jar.verify(ALICE, tampered, START)).as("flipped byte %d", i).isFalse();
        }
        assertThat(jar.verify(ALICE, Arrays.copyOf(cookie, 15), START)).isFalse();
        assertThat(jar.verify(ALICE, new byte[16], START)).isFalse();
        assertThat(jar.verify(ALICE, new byte[0], START)).isFalse();
        assertThat(jar.verify(ALICE, null, START)).isFalse();
    }

    @Test
    void anotherServersCookieDoesNotVerify() {
        CookieJar other = new CookieJar(new SecureRandom(), START);

        assertThat(jar.verify(ALICE, other.issue(ALICE, START), START)).isFalse();
    }

    @Test
    void aCookieIsBoundToItsConnectionOnAConnectionTransport() {
        InetSocketAddress browser = new InetSocketAddress(Peers.ip("192.0.2.1"), 50000);
        byte[] cookie = jar.issue(PeerId.connection("ws", browser, 1), START);

        assertThat(jar.verify(PeerId.connection("ws", browser, 1), cookie, START)).isTrue();
        assertThat(jar.verify(PeerId.connection("ws", browser, 2), cookie, START)).isFalse();
        assertThat(jar.verify(PeerId.connection("wss", browser, 1), cookie, START)).isFalse();
    }
}
