package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ciphergram.testing.Peers;
import io.ciphergram.crypto.ClassicKeyTransport;
import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.Counters;
import io.ciphergram.session.SessionRegistry;

/** The engine alone, without Quarkus or sockets: datagrams in, datagrams out, on a controlled clock. */
class ChatRelayTest {

    private static KeyPair keyPair;

    private final RelayFixture fixture = new RelayFixture(100, 10, 20, null, 0);
    private final AtomicLong clock = fixture.clock;
    private final Counters counters = fixture.counters;
    private final SessionRegistry sessions = fixture.sessions;
    private final ChatRelay relay = fixture.relay;
    private final List<RelayFixture.Sent> sent = fixture.sent;
    private final ClassicMessageCipher cipher = new ClassicMessageCipher(new SecureRandom());

    @BeforeAll
    static void keys() {
        keyPair = RsaKeys.generate(new SecureRandom());
    }

    private SessionKey join(int port, String name) throws Exception {
        PeerId peer = Peers.udp("10.0.0.1", port);
        relay.onDatagram(peer, bytes("SYN"));
        relay.onDatagram(peer, bytes("ACK"));
        relay.onDatagram(peer, ClassicCodec.encode(new ClassicFrame.PublicKeyOffer((RSAPublicKey) keyPair.getPublic())));
        byte[] keyReply = sentTo(peer).get(1);
        SessionKey key = ClassicKeyTransport.unwrap(keyPair.getPrivate(),
                ((ClassicFrame.KeyReply) ClassicCodec.decodeFromServer(keyReply, ClassicCodec.ServerExpects.KEY_REPLY))
                        .encryptedKey());
        relay.onDatagram(peer, bytes(name));
        return key;
    }

    private List<byte[]> sentTo(PeerId peer) {
        return fixture.sentTo(peer);
    }

    private List<String> textsTo(int port, SessionKey key) throws Exception {
        List<String> texts = new ArrayList<>();
        for (byte[] d : sentTo(Peers.udp("10.0.0.1", port))) {
            ClassicFrame frame = ClassicCodec.decodeFromServer(d, ClassicCodec.ServerExpects.MESSAGE);
            if (frame instanceof ClassicFrame.Sealed s) {
                try {
                    texts.add(new String(cipher.open(key, s.ivAndCiphertext()), StandardCharsets.UTF_8));
                } catch (io.ciphergram.crypto.CryptoFailure e) {
                    // the key reply is not a message
                }
            }
        }
        return texts;
    }

    private byte[] message(SessionKey key, String text) {
        return ClassicCodec.encode(new ClassicFrame.Sealed(cipher.seal(key, text)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theKeyReplyIsTheFirstDatagramAfterSynAck() throws Exception {
        join(1, "alice");
        List<byte[]> toAlice = sentTo(Peers.udp("10.0.0.1", 1));
        assertThat(new String(toAlice.get(0), StandardCharsets.US_ASCII)).isEqualTo("SYN-ACK");
        assertThat(toAlice.get(1)).hasSize(344);
    }

    @Test
    void floodedMessagesAreDroppedWithOneNoticePerBurst() throws Exception {
        SessionKey alice = join(1, "alice");
        SessionKey bob = join(2, "bob");
        PeerId alicePeer = Peers.udp("10.0.0.1", 1);
        // ACK, key and name used 3 of alice's 20 tokens (the SYN came before her session); of 30
        // messages at one instant 17 pass and 13 are dropped.
        for (int i = 0; i < 30; i++) {
            relay.onDatagram(alicePeer, message(alice, "m" + i));
        }
        assertThat(textsTo(2, bob).stream().filter(t -> t.startsWith("alice: m"))).hasSize(17);
        assertThat(counters.droppedCount(DropReason.FLOODED)).isEqualTo(13);
        assertThat(textsTo(1, alice).stream().filter(t -> t.startsWith("* slow down"))).hasSize(1);

        clock.addAndGet(Duration.ofMillis(100).toNanos()); // one token back
        relay.onDatagram(alicePeer, message(alice, "after a pause"));
        assertThat(textsTo(2, bob)).contains("alice: after a pause");
        relay.onDatagram(alicePeer, message(alice, "too soon again"));
        assertThat(textsTo(1, alice).stream().filter(t -> t.startsWith("* slow down"))).hasSize(2);
    }

    @Test
    void floodControlComesBeforeAnyCryptoWork() throws Exception {
        join(1, "alice");
        PeerId alicePeer = Peers.udp("10.0.0.1", 1);
        for (int i = 0; i < 40; i++) {
            relay.onDatagram(alicePeer, bytes("!!not base64!!"));
        }
        assertThat(counters.droppedCount(DropReason.MALFORMED_BASE64)).isEqualTo(17);
        assertThat(counters.droppedCount(DropReason.FLOODED)).isEqualTo(23);
    }

    @Test
    void zeroRateDisablesFloodControl() throws Exception {
        RelayFixture unlimited = new RelayFixture(100, 0, 20, null, 0);
        PeerId peer = Peers.udp("10.0.0.1", 7);
        for (int i = 0; i < 100; i++) {
            unlimited.relay.onDatagram(peer, bytes("SYN"));
        }
        assertThat(unlimited.counters.droppedCount(DropReason.FLOODED)).isZero();
        assertThat(unlimited.sentTo(peer)).hasSize(100);
    }

    @Test
    void idleSessionsExpireAndOthersAreTold() throws Exception {
        SessionKey alice = join(1, "alice");
        clock.addAndGet(Duration.ofMinutes(30).toNanos());
        join(2, "bob");
        clock.addAndGet(Duration.ofMinutes(31).toNanos());
        relay.expireIdle();
        assertThat(sessions.byName("alice")).isNull();
        assertThat(sessions.byName("bob")).isNotNull();
        SessionKey bob = join(3, "carol");
        assertThat(textsTo(1, alice)).doesNotContain("* carol joined");
        assertThat(bob).isNotNull();
    }

    @Test
    void aBrokenEgressDoesNotStopTheRelay() throws Exception {
        relay.attach(PeerId.UDP, (to, datagram) -> {
            throw new IllegalStateException("socket gone");
        });
        relay.onDatagram(Peers.udp("10.0.0.1", 1), bytes("SYN"));
        relay.attach(PeerId.UDP, (to, datagram) -> sent.add(new RelayFixture.Sent(to, datagram)));
        relay.onDatagram(Peers.udp("10.0.0.1", 2), bytes("SYN"));
        assertThat(sentTo(Peers.udp("10.0.0.1", 2))).hasSize(1);
    }
}
