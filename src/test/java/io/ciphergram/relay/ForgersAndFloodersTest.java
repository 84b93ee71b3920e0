package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.testing.Peers;

/**
 * Issue 15, B6: someone who knows a user's address (and forges it, off-path) must not be able to silence
 * her or make the server nag her; a flooder is told to slow down, rarely. Flood control counts only input
 * that authenticates; what does not is paid from a budget of its own.
 */
class ForgersAndFloodersTest {

    @TempDir
    Path dir;

    private final SecureRandom random = new SecureRandom();
    private RelayFixture f;

    @BeforeEach
    void relay() throws Exception {
        f = RelayFixture.withV2(dir, 100);
    }

    /** What a forger who never saw the key sends: base64 of random bytes of a message's size. */
    private byte[] forgedClassic() {
        byte[] junk = new byte[64];
        random.nextBytes(junk);
        return Base64.getEncoder().encode(junk);
    }

    /** A v2 Data record with a session id the forger guessed. */
    private byte[] forgedRecord() {
        ByteBuffer b = ByteBuffer.allocate(20 + 40);
        b.put((byte) 0xFF).put((byte) 0x02).put((byte) 0x05).putLong(random.nextLong()).put((byte) 0).putLong(0);
        byte[] rest = new byte[40];
        random.nextBytes(rest);
        return b.put(rest).array();
    }

    private static long notices(java.util.List<String> texts) {
        return texts.stream().filter(t -> t.startsWith("* slow down")).count();
    }

    @Test
    void fortyForgedDatagramsASecondAtAClassicUsersAddressChangeNothingForHer() {
        ClassicClient bob = new ClassicClient(f, Peers.udp("10.0.0.2", 1)).joinRoom("bob");
        ClassicClient alice = new ClassicClient(f, Peers.udp("10.0.0.1", 1)).joinRoom("alice");
        for (int second = 0; second < 8; second++) {
            for (int i = 0; i < 40; i++) {
                alice.send(forgedClassic());
                f.advance(Duration.ofMillis(25));
                if (i == 20) {
                    alice.say("line " + second);
                }
            }
        }
        for (int second = 0; second < 8; second++) {
            assertThat(bob.texts()).contains("alice: line " + second);
        }
        assertThat(notices(alice.texts())).as("never told to slow down for what she did not send").isZero();
        assertThat(f.counters.droppedCount(DropReason.UNDECRYPTABLE)).isEqualTo(320);
        assertThat(f.counters.droppedCount(DropReason.FLOODED)).isZero();
    }

    @Test
    void whatDoesNotDecryptIsPaidFromItsOwnBudgetAndThenNotEvenTried() {
        ClassicClient alice = new ClassicClient(f, Peers.udp("10.0.0.1", 1)).joinRoom("alice");
        for (int i = 0; i < 1_000; i++) {
            alice.send(forgedClassic());
        }
        long tried = f.counters.droppedCount(DropReason.UNDECRYPTABLE);
        assertThat(tried).as("twice the 100 a second at once").isBetween(199L, 201L);
        assertThat(f.counters.droppedCount(DropReason.FORGED_FLOOD)).isEqualTo(1_000 - tried);
        f.advance(Duration.ofSeconds(3));
        ClassicClient bob = new ClassicClient(f, Peers.udp("10.0.0.2", 1)).joinRoom("bob");
        alice.say("after the storm");
        assertThat(bob.texts()).as("once the forger stops, the budget comes back").contains("alice: after the storm");
    }

    @Test
    void recordsWithAGuessedSessionIdCostAV2UserNothing() throws Exception {
        ClassicClient bob = new ClassicClient(f, Peers.udp("10.0.0.2", 1)).joinRoom("bob");
        V2Client carol = new V2Client(f, Peers.udp("10.0.0.3", 1)).join("carol");
        for (int line = 0; line < 13; line++) {
            for (int i = 0; i < 4_000 / 10; i++) {
                f.relay.onDatagram(carol.peer, forgedRecord());
            }
            carol.say("line " + line);
            carol.read();
            f.advance(Duration.ofMillis(100));
        }
        for (int line = 0; line < 13; line++) {
            assertThat(bob.texts()).contains("carol: line " + line);
        }
        assertThat(notices(carol.read())).isZero();
        assertThat(f.counters.droppedCount(DropReason.UNKNOWN_SESSION)).isEqualTo(13 * 400);
    }

    @Test
    void recordsThatFailToAuthenticateDoNotSpendTheSendersFloodAllowance() throws Exception {
        ClassicClient bob = new ClassicClient(f, Peers.udp("10.0.0.2", 1)).joinRoom("bob");
        V2Client carol = new V2Client(f, Peers.udp("10.0.0.3", 1)).join("carol");
        byte[] record = carol.say("genuine").get(0);
        for (int i = 0; i < 150; i++) {
            byte[] tampered = record.clone();
            tampered[V2Codec.DATA_HEADER_LENGTH + 1] ^= (byte) (i + 1);
            ByteBuffer.wrap(tampered).putLong(12, 1_000 + i); // a fresh sequence, so the replay window lets it through
            f.relay.onDatagram(carol.peer, tampered);
        }
        assertThat(f.counters.droppedCount(DropReason.AUTH_FAILED)).isEqualTo(150);
        carol.say("still here");
        assertThat(bob.texts()).contains("carol: genuine", "carol: still here");
    }

    @Test
    void aFlooderIsToldToSlowDownAtMostOnceEveryFiveSeconds() {
        ClassicClient bob = new ClassicClient(f, Peers.udp("10.0.0.2", 1)).joinRoom("bob");
        ClassicClient alice = new ClassicClient(f, Peers.udp("10.0.0.1", 1)).joinRoom("alice");
        for (int i = 0; i < 12 * 100; i++) {
            alice.say("flood " + i);
            f.advance(Duration.ofMillis(10)); // 100 a second for 12 s
        }
        assertThat(f.counters.droppedCount(DropReason.FLOODED)).isPositive();
        assertThat(notices(alice.texts())).as("at 0, 5 and 10 s").isEqualTo(3);
        assertThat(bob.texts().stream().filter(t -> t.startsWith("alice: flood")).count())
                .as("10 a second and the burst of 20 get through").isBetween(130L, 145L);
        assertThat(new String(alice.datagrams().get(0), StandardCharsets.US_ASCII)).isEqualTo("SYN-ACK");
    }
}
