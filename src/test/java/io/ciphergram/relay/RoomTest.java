package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Confinement;
import io.ciphergram.session.SentBlocks;
import io.ciphergram.session.SessionLimits;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.testing.Peers;

/** The room alone: who receives which text, with participants that record what they are sent. */
class RoomTest {

    private final Counters counters = new Counters();
    private final SessionRegistry sessions = new SessionRegistry(SessionLimits.defaults(), () -> 0,
            Confinement.firstUse());
    private final TestRooms routing = new TestRooms(sessions, counters);
    private final Rooms room = routing.rooms;
    private int nextPort = 1;

    record Member(ClassicSession session, RecordingOutbox outbox) {
        List<String> lines() {
            return outbox.lines;
        }
    }

    private Member join(String name, boolean guest) {
        PeerId peer = Peers.udp("10.0.0.1", nextPort++);
        RecordingOutbox outbox = new RecordingOutbox();
        ClassicSession session = HandMadeSessions.member(sessions, room, peer, guest ? null : name, outbox, 0);
        return new Member(session, outbox);
    }

    private Member join(String name) {
        return join(name, false);
    }

    @Test
    void aMessageGoesToEveryoneButItsSenderUnderTheSendersName() {
        Member alice = join("alice");
        Member bob = join("bob");
        Member carol = join("carol");
        routing.commands.text(alice.session(), "hello");
        assertThat(bob.lines()).endsWith("alice: hello");
        assertThat(carol.lines()).endsWith("alice: hello");
        assertThat(alice.lines()).noneMatch(l -> l.contains("hello"));
        assertThat(counters.relayedCount()).isEqualTo(2);
    }

    @Test
    void joiningWelcomesTheNewcomerAndTellsTheOthers() {
        Member alice = join("alice");
        Member second = join("ALICE");
        assertThat(second.lines()).containsExactly(
                "* you are ALICE2 (ALICE is taken); say something to join the room (/help lists commands)");
        assertThat(alice.lines()).containsExactly("* you are alice; say something to join the room (/help lists commands)",
                "* ALICE2 joined");
        Member guest = join(null, true);
        assertThat(guest.lines()).containsExactly("* connected as guest-1; say something to join the room (/help lists commands)");
        assertThat(alice.lines()).endsWith("* guest-1 joined");
    }

    @Test
    void aGuestsTextIsRelayedUnderItsServerGivenName() {
        Member alice = join("alice");
        Member guest = join(null, true);
        routing.commands.text(guest.session(), "dave: hi");
        assertThat(alice.lines()).endsWith("guest-1: dave: hi");
    }

    @Test
    void anUnprovenSessionIsNotInTheRoom() {
        Member alice = join("alice");
        PeerId peer = Peers.udp("10.0.0.9", 1);
        RecordingOutbox outbox = new RecordingOutbox();
        ClassicSession lurker = HandMadeSessions.arrived(sessions, room, peer, "lurker", outbox, 0);
        routing.commands.text(alice.session(), "only for members");
        assertThat(alice.lines()).noneMatch(l -> l.contains("lurker"));
        assertThat(outbox.lines).containsExactly("* you are lurker; say something to join the room (/help lists commands)");
        assertThat(room.end(lurker)).isTrue();
        assertThat(alice.lines()).as("nobody was told it came, so nobody is told it went").noneMatch(l -> l.contains("lurker"));
    }

    @Test
    void endingASessionTellsTheOthersOnce() {
        Member alice = join("alice");
        Member bob = join("bob");
        assertThat(room.end(bob.session())).isTrue();
        assertThat(room.end(bob.session())).isFalse();
        assertThat(alice.lines()).containsOnlyOnce("* bob left");
        routing.commands.text(alice.session(), "after bob left");
        assertThat(bob.lines()).noneMatch(l -> l.contains("after bob left"));
    }

    @Test
    void aTextOverTheSendersOwnLimitIsRefusedWithANotice() {
        Member alice = join("alice");
        Member bob = join("bob");
        routing.commands.text(alice.session(), "y".repeat(ClassicCodec.MAX_TEXT_BYTES));
        assertThat(alice.lines()).endsWith("* message not sent: 3062 bytes, at most 3055 fit in one message");
        assertThat(bob.lines()).noneMatch(l -> l.contains("yyyy"));
        assertThat(counters.refusedCount()).isEqualTo(1);
    }

    @Test
    void aRecipientThatCannotTakeALineIsNotCountedAsReached() {
        Member alice = join("alice");
        Member bob = join("bob");
        bob.outbox().refusing = true;
        routing.commands.text(alice.session(), "lost on the way");
        assertThat(counters.relayedCount()).isZero();
    }

    @Test
    void theFloodNoticeStatesTheLimits() {
        Member alice = join("alice");
        room.slowDown(alice.session());
        assertThat(alice.lines()).endsWith("* slow down: messages over 10/s (burst 20) are dropped");
    }
}
