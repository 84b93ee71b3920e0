package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;

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

/** The commands, through the room that runs them. */
class CommandsTest {

    private final Counters counters = new Counters();
    private final SessionRegistry sessions = new SessionRegistry(
            SessionLimits.defaults().withPerSource(32, 32, 1000), () -> 0, Confinement.firstUse());
    private final TestRooms routing = new TestRooms(sessions, counters);
    private final Rooms room = routing.rooms;
    private int nextPort = 1;

    /** A member of the room, with nothing received yet; those that joined before it see it join. */
    private RecordingOutbox join(String name) {
        PeerId peer = Peers.udp("10.0.0.1", nextPort++);
        RecordingOutbox outbox = new RecordingOutbox();
        HandMadeSessions.member(sessions, room, peer, name, outbox, 0);
        outbox.lines.clear(); // its welcome, and the others joining: each test looks at what its commands cause
        return outbox;
    }

    private void say(String name, String text) {
        routing.commands.text(sessions.byName(name), text);
    }

    @Test
    void whoListsEveryoneSortedIgnoringCase() {
        RecordingOutbox alice = join("alice");
        join("Carol");
        join("bob");
        alice.lines.clear();
        say("alice", "/who");
        assertThat(alice.lines).containsExactly("* online (3): alice, bob, Carol");
    }

    @Test
    void aLongWhoIsSplitSoThatEachNoticeFitsAClassicDatagram() {
        RecordingOutbox first = join("n000");
        for (int i = 1; i < 400; i++) {
            join(String.format("n%03d-with-a-longer-name", i));
        }
        first.lines.clear();
        say("n000", "/who");
        assertThat(first.lines).hasSizeGreaterThan(1)
                .allMatch(l -> l.startsWith("* ") && l.length() <= ClassicCodec.MAX_TEXT_BYTES);
        assertThat(first.lines.get(0)).startsWith("* online (400): n000, n001-with-a-longer-name");
        assertThat(String.join(", ", first.lines)).contains("n399-with-a-longer-name");
    }

    @Test
    void msgReachesOnlyItsTargetWhateverTheCaseOfTheName() {
        RecordingOutbox alice = join("alice");
        RecordingOutbox bob = join("bob");
        RecordingOutbox carol = join("carol");
        alice.lines.clear();
        bob.lines.clear();
        say("alice", "/msg BOB psst, only   for you");
        assertThat(bob.lines).containsExactly("alice (private): psst, only   for you");
        assertThat(carol.lines).isEmpty();
        assertThat(alice.lines).as("told once that the server could read it")
                .containsExactly("* private messages to bob are not end to end: the server can read them");
        say("alice", "/msg bob again");
        assertThat(alice.lines).hasSize(1);
    }

    @Test
    void msgToNobodyOrWithoutTextIsAnsweredWithANotice() {
        RecordingOutbox alice = join("alice");
        say("alice", "/msg nobody hi");
        say("alice", "/msg alice");
        assertThat(alice.lines).containsExactly("* no such user: nobody", "* usage: /msg <name> <text>");
        assertThat(counters.refusedCount()).isEqualTo(1);
    }

    @Test
    void quitSaysByeClosesTheSessionAndTellsTheOthers() {
        RecordingOutbox alice = join("alice");
        RecordingOutbox bob = join("bob");
        alice.lines.clear();
        say("bob", "/quit");
        assertThat(bob.lines).containsExactly("* bye");
        assertThat(bob.closed).isTrue();
        assertThat(alice.lines).containsExactly("* bob left");
        assertThat(sessions.byName("bob")).isNull();
    }

    @Test
    void helpAndUnknownCommands() {
        RecordingOutbox alice = join("alice");
        say("alice", "/HELP");
        say("alice", "/dance now");
        assertThat(alice.lines).containsExactly(Notices.HELP, "* unknown command /dance; /help lists commands");
    }
}
