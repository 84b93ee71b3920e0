package io.ciphergram.relay;

import static io.ciphergram.relay.ClassicClient.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.testing.Peers;

/**
 * The three original Python clients, datagram by datagram and in their order
 * (../shared/reference/original-clients.md), against an engine whose key replies are made on a worker and
 * come back later, as in the service: what the seed client sends while its key is being wrapped must not
 * be lost. The same clients run as real processes in {@code PythonSeedClientTest}.
 */
class OriginalClientsTest {

    private final RelayFixture f = new RelayFixture(100, 10, 20, null, 0);

    private ClassicClient client(int port) {
        return new ClassicClient(f, Peers.udp("10.0.0.1", port));
    }

    /** The seed's client: SYN, ACK, its key and, at once, its username, before the key reply has come back. */
    private ClassicClient seedClient(int port, String name) {
        ClassicClient c = client(port);
        c.send(ascii("SYN"));
        c.send(ascii("ACK"));
        int before = c.datagrams().size();
        f.offload.defer();
        c.send(ClassicClient.keyDatagram());
        c.send(name.getBytes(StandardCharsets.UTF_8));
        f.offload.finish();
        c.takeKeyReply(before);
        return c;
    }

    @Test
    void theSeedClientsUsernameSentBeforeItsKeyReplyIsItsName() {
        ClassicClient bob = client(2).joinRoom("bob");
        ClassicClient alice = seedClient(1, "alice");

        assertThat(alice.texts()).containsExactly(
                "* you are alice; say something to join the room (/help lists commands)");
        alice.say("hello");
        assertThat(bob.texts()).containsSubsequence("* alice joined", "alice: hello");
        assertThat(f.counters.droppedCount(DropReason.OUT_OF_STATE)).isZero();
    }

    @Test
    void theKeyReplyIsStillTheFirstDatagramAfterSynAck() {
        ClassicClient alice = seedClient(1, "alice");
        assertThat(new String(alice.datagrams().get(0), StandardCharsets.US_ASCII)).isEqualTo("SYN-ACK");
        assertThat(alice.datagrams().get(1)).hasSize(344);
        assertThat(alice.key).isNotNull();
    }

    @Test
    void whatArrivesWhileTheKeyIsWrappedIsHandledInTheOrderItCame() {
        ClassicClient bob = client(2).joinRoom("bob");
        ClassicClient alice = client(1);
        alice.send(ascii("SYN"));
        alice.send(ascii("ACK"));
        f.offload.defer();
        alice.send(ClassicClient.keyDatagram());
        alice.send("alice".getBytes(StandardCharsets.UTF_8));
        // A message can only be sealed once the key is known: take it from the reply, then let the held
        // datagrams go, with the message sent meanwhile behind them.
        f.offload.finish();
        alice.takeKeyReply(0);
        alice.say("first line");
        assertThat(bob.texts()).containsSubsequence("* alice joined", "alice: first line");
    }

    @Test
    void aHandshakeHoldsOnlyAFewDatagramsWhileItsKeyIsWrappedAndCountsTheRest() {
        ClassicClient alice = client(1);
        alice.send(ascii("SYN"));
        alice.send(ascii("ACK"));
        f.offload.defer();
        alice.send(ClassicClient.keyDatagram());
        for (int i = 0; i < 6; i++) {
            alice.send(("name" + i).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(f.counters.droppedCount(DropReason.OUT_OF_STATE)).isEqualTo(2);
        f.offload.finish();
        alice.takeKeyReply(0);
        // the first held datagram was the username; the three after it were taken for messages (and are not)
        assertThat(alice.texts()).first().asString().startsWith("* you are name0;");
        assertThat(f.counters.droppedCount(DropReason.MALFORMED_BASE64)
                + f.counters.droppedCount(DropReason.UNDECRYPTABLE)).isEqualTo(3);
    }

    @Test
    void whatAHandshakeHeldIsCountedWhenItEndsBeforeItsKeyReply() {
        ClassicClient alice = client(1);
        alice.send(ascii("SYN"));
        alice.send(ascii("ACK"));
        f.offload.defer();
        alice.send(ClassicClient.keyDatagram());
        alice.send("alice".getBytes(StandardCharsets.UTF_8));
        alice.send(ascii("SYN")); // a new handshake from the address replaces the one that held the name
        assertThat(f.counters.droppedCount(DropReason.OUT_OF_STATE)).isEqualTo(1);
    }

    @Test
    void theVariantThatPutsNameBarsInEveryTextIsAnnouncedAndListedUnderThatName() {
        ClassicClient bob = client(2).joinRoom("bob");
        ClassicClient dave = client(3).joinAsGuest();
        assertThat(dave.texts()).singleElement().asString().startsWith("* connected as guest-");

        dave.say("dave||hello all");
        dave.say("dave||/who");
        assertThat(bob.texts()).containsSubsequence("* dave joined", "dave: hello all");
        assertThat(dave.texts()).contains("* you are dave; /help lists commands", "* online (2): bob, dave");
    }

    @Test
    void theVariantThatPutsNameColonInEveryTextIsAnnouncedUnderThatName() {
        ClassicClient bob = client(2).joinRoom("bob");
        ClassicClient erin = client(3).joinAsGuest();
        erin.say("erin: hi there");
        erin.say("erin: what: now");
        erin.say("no prefix here");
        assertThat(bob.texts()).containsSubsequence("* erin joined", "erin: hi there", "erin: what: now",
                "erin: no prefix here");
    }

    @Test
    void aGuestThatNamesItselfAfterATakenNameGetsANumberAndCannotPoseAsTheOther() {
        ClassicClient bob = client(2).joinRoom("bob");
        ClassicClient mallory = client(3).joinAsGuest();
        mallory.say("bob: it is me");
        assertThat(mallory.texts()).contains("* you are bob2 (bob is taken); /help lists commands");
        ClassicClient carol = client(4).joinRoom("carol");
        mallory.say("bob: again");
        assertThat(carol.texts()).contains("bob2: again");
        assertThat(bob.texts()).contains("* bob2 joined", "bob2: it is me");
    }

    @Test
    void aGuestWhoseFirstTextCarriesNoNameKeepsItsGuestName() {
        ClassicClient bob = client(2).joinRoom("bob");
        ClassicClient guest = client(3).joinAsGuest();
        guest.say("just text");
        guest.say("zed: later");
        assertThat(bob.texts()).anyMatch(t -> t.matches("\\* guest-\\d+ joined"))
                .anyMatch(t -> t.matches("guest-\\d+: zed: later"));
    }
}
