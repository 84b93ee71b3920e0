package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Confinement;
import io.ciphergram.session.Counters;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.testing.Peers;

/** The room alone: who receives which text, with participants that record what they are sent. */
class RoomTest {

    private final Counters counters = new Counters();
    private final SessionRegistry sessions = new SessionRegistry(100, Duration.ofHours(1), 10, 20, () -> 0,
            Confinement.firstUse());
    private final Room room = new Room(sessions, counters, 10, 20);
    private int nextPort = 1;

    record Member(ClassicSession session, RecordingOutbox outbox) {
        List<String> lines() {
            return outbox.lines;
        }
    }

    private Member join(String name, boolean guest) {
        PeerId peer = Peers.udp("10.0.0.1", nextPort++);
        ClassicSession session = new ClassicSession(peer, SessionKey.random(new SecureRandom()), guest,
                sessions.classicGate(peer), 0);
        RecordingOutbox outbox = new RecordingOutbox();
        session.reachThrough(outbox);
        sessions.vacate(peer);
        if (guest) {
            sessions.registerGuest(session);
            room.guestJoined(session);
        } else {
            sessions.register(session, name);
            room.joined(session, name);
        }
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
        room.onText(alice.session(), "hello");
        assertThat(bob.lines()).endsWith("alice: hello");
        assertThat(carol.lines()).endsWith("alice: hello");
        assertThat(alice.lines()).noneMatch(l -> l.contains("hello"));
        assertThat(counters.relayedCount()).isEqualTo(2);
    }

    @Test
    void joiningWelcomesTheNewcomerAndTellsTheOthers() {
        Member alice = join("alice");
        Member second = join("ALICE");
        assertThat(second.lines()).containsExactly("* you are ALICE2 (ALICE is taken); /help lists commands");
        assertThat(alice.lines()).containsExactly("* you are alice; /help lists commands", "* ALICE2 joined");
        Member guest = join(null, true);
        assertThat(guest.lines()).containsExactly("* connected as guest-1; /help lists commands");
        assertThat(alice.lines()).endsWith("* guest-1 joined");
    }

    @Test
    void aGuestsTextIsRelayedAsItIs() {
        Member alice = join("alice");
        Member guest = join(null, true);
        room.onText(guest.session(), "dave: hi");
        assertThat(alice.lines()).endsWith("dave: hi");
    }

    @Test
    void endingASessionTellsTheOthersOnce() {
        Member alice = join("alice");
        Member bob = join("bob");
        assertThat(room.end(bob.session())).isTrue();
        assertThat(room.end(bob.session())).isFalse();
        assertThat(alice.lines()).containsOnlyOnce("* bob left");
        room.onText(alice.session(), "after bob left");
        assertThat(bob.lines()).noneMatch(l -> l.contains("after bob left"));
    }

    @Test
    void aTextOverTheSendersOwnLimitIsRefusedWithANotice() {
        Member alice = join("alice");
        Member bob = join("bob");
        room.onText(alice.session(), "y".repeat(ClassicCodec.MAX_TEXT_BYTES));
        assertThat(alice.lines()).endsWith("* message not sent: 3062 bytes, at most 3055 fit in one message");
        assertThat(bob.lines()).noneMatch(l -> l.contains("yyyy"));
        assertThat(counters.refusedCount()).isEqualTo(1);
    }

    @Test
    void aRecipientThatCannotTakeALineIsNotCountedAsReached() {
        Member alice = join("alice");
        Member bob = join("bob");
        bob.outbox().refusing = true;
        room.onText(alice.session(), "lost on the way");
        assertThat(counters.relayedCount()).isZero();
    }

    @Test
    void theFloodNoticeStatesTheLimits() {
        Member alice = join("alice");
        room.slowDown(alice.session());
        assertThat(alice.lines()).endsWith("* slow down: messages over 10/s (burst 20) are dropped");
    }
}
