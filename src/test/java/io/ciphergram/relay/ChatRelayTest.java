package io.ciphergram.relay;

import static io.ciphergram.relay.ClassicClient.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.testing.Peers;

/** The engine alone, without Quarkus or sockets: datagrams in, datagrams out, on a controlled clock. */
class ChatRelayTest {

    private final RelayFixture f = new RelayFixture(100, 10, 20, null, 0);

    private ClassicClient client(int port) {
        return new ClassicClient(f, Peers.udp("10.0.0.1", port));
    }

    @Test
    void theKeyReplyIsTheFirstDatagramAfterSynAck() {
        ClassicClient alice = client(1).join("alice");
        List<byte[]> toAlice = alice.datagrams();
        assertThat(new String(toAlice.get(0), StandardCharsets.US_ASCII)).isEqualTo("SYN-ACK");
        assertThat(toAlice.get(1)).hasSize(344);
        assertThat(alice.key).isNotNull();
    }

    @Test
    void aClassicClientJoinsTheRoomWithItsFirstMessage() {
        ClassicClient alice = client(1).joinRoom("alice");
        ClassicClient bob = client(2).join("bob");
        assertThat(bob.texts()).containsExactly("* you are bob; say something to join the room (/help lists commands)");
        assertThat(alice.texts()).noneMatch(t -> t.contains("bob"));
        alice.say("before bob spoke");
        bob.say("hello");
        assertThat(alice.texts()).containsSubsequence("* bob joined", "bob: hello");
        assertThat(bob.texts()).doesNotContain("alice: before bob spoke");
        alice.say("after");
        assertThat(bob.texts()).contains("alice: after");
    }

    @Test
    void floodedMessagesAreDroppedWithANoticeAtMostEveryFiveSeconds() {
        ClassicClient alice = client(1).joinRoom("alice");
        ClassicClient bob = client(2).joinRoom("bob");
        // Only messages that decrypt count: her /help took 1 of her 20 tokens (the handshake took none); of
        // 30 messages at one instant 19 pass and 11 are dropped.
        for (int i = 0; i < 30; i++) {
            alice.say("m" + i);
        }
        assertThat(bob.texts().stream().filter(t -> t.startsWith("alice: m"))).hasSize(19);
        assertThat(f.counters.droppedCount(DropReason.FLOODED)).isEqualTo(11);
        assertThat(alice.texts().stream().filter(t -> t.startsWith("* slow down"))).hasSize(1);

        f.clock.addAndGet(Duration.ofMillis(100).toNanos()); // one token back
        alice.say("after a pause");
        assertThat(bob.texts()).contains("alice: after a pause");
        alice.say("too soon again");
        assertThat(alice.texts().stream().filter(t -> t.startsWith("* slow down"))).as("not again within 5 s").hasSize(1);
        f.clock.addAndGet(Duration.ofSeconds(5).toNanos());
        for (int i = 0; i < 60; i++) {
            alice.say("again " + i);
        }
        assertThat(alice.texts().stream().filter(t -> t.startsWith("* slow down"))).hasSize(2);
    }

    @Test
    void whatDoesNotEvenDecodeCostsNoCryptoAndNoFloodAllowance() {
        ClassicClient alice = client(1).joinRoom("alice");
        ClassicClient bob = client(2).joinRoom("bob");
        for (int i = 0; i < 40; i++) {
            alice.send(ascii("!!not base64!!"));
        }
        assertThat(f.counters.droppedCount(DropReason.MALFORMED_BASE64)).isEqualTo(40);
        assertThat(f.counters.droppedCount(DropReason.FLOODED)).isZero();
        alice.say("still mine");
        assertThat(bob.texts()).contains("alice: still mine");
    }

    @Test
    void zeroRateDisablesFloodControl() {
        RelayFixture unlimited = new RelayFixture(100, 0, 20, null, 0);
        ClassicClient alice = new ClassicClient(unlimited, Peers.udp("10.0.0.1", 1)).joinRoom("alice");
        ClassicClient bob = new ClassicClient(unlimited, Peers.udp("10.0.0.1", 2)).joinRoom("bob");
        for (int i = 0; i < 100; i++) {
            alice.say("m" + i);
        }
        assertThat(unlimited.counters.droppedCount(DropReason.FLOODED)).isZero();
        assertThat(bob.texts().stream().filter(t -> t.startsWith("alice: m"))).hasSize(100);
    }

    @Test
    void idleSessionsExpireAndOthersAreTold() {
        ClassicClient alice = client(1).joinRoom("alice");
        f.clock.addAndGet(Duration.ofMinutes(30).toNanos());
        ClassicClient bob = client(2).joinRoom("bob");
        f.clock.addAndGet(Duration.ofMinutes(31).toNanos());
        f.relay.expireIdle();
        assertThat(f.sessions.byName("alice")).isNull();
        assertThat(f.sessions.byName("bob")).isNotNull();
        assertThat(bob.texts()).endsWith("* alice left");
        ClassicClient carol = client(3).joinRoom("carol");
        assertThat(bob.texts()).endsWith("* carol joined");
        assertThat(alice.texts()).doesNotContain("* carol joined");
        assertThat(carol.texts()).noneMatch(t -> t.contains("alice"));
    }

    @Test
    void aPlaintextThatIsNotUtf8IsDroppedExactlyLikeBadPadding() {
        ClassicClient alice = client(1).joinRoom("alice");
        ClassicClient bob = client(2).joinRoom("bob");
        byte[] notUtf8 = ClassicCodec.encode(new ClassicFrame.Sealed(
                new ClassicMessageCipher(new SecureRandom()).seal(alice.key, new byte[] {(byte) 0xC3, 0x28})));
        byte[] badPadding = ClassicCodec.encode(new ClassicFrame.Sealed(new byte[48]));
        int before = alice.datagrams().size();
        alice.send(notUtf8);
        alice.send(badPadding);
        assertThat(f.counters.droppedCount(DropReason.UNDECRYPTABLE)).isEqualTo(2);
        assertThat(alice.datagrams()).as("no answer either way").hasSize(before);
        assertThat(bob.texts()).noneMatch(t -> t.startsWith("alice: ") && !t.equals("alice: "));
    }

    @Test
    void aBrokenEgressDoesNotStopTheRelay() {
        f.relay.attach(PeerId.UDP, (to, datagram) -> {
            throw new IllegalStateException("socket gone");
        });
        f.relay.onDatagram(Peers.udp("10.0.0.1", 1), ascii("SYN"));
        f.relay.attach(PeerId.UDP, (to, datagram) -> f.sent.add(new RelayFixture.Sent(to, datagram)));
        f.relay.onDatagram(Peers.udp("10.0.0.1", 2), ascii("SYN"));
        assertThat(f.sentTo(Peers.udp("10.0.0.1", 2))).hasSize(1);
    }
}
