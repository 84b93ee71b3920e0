package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Confinement;
import io.ciphergram.session.Delivery;
import io.ciphergram.session.SessionLimits;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.testing.Peers;

/** Several rooms and their history (docs/PROTOCOL.md, "Rooms and history"), with text clients made by hand. */
class RoomsTest {

    private final Counters counters = new Counters();
    private final SessionRegistry sessions = new SessionRegistry(SessionLimits.defaults().withPerSource(64, 64, 1000),
            () -> 0, Confinement.firstUse());
    private TestRooms routing = new TestRooms(sessions, counters);
    private int nextPort = 1;

    private record Member(ClassicSession session, RecordingOutbox outbox) {
        List<String> lines() {
            return outbox.lines;
        }
    }

    private Member join(String name) {
        PeerId peer = Peers.udp("10.0.0.1", nextPort++);
        RecordingOutbox outbox = new RecordingOutbox();
        return new Member(HandMadeSessions.member(sessions, routing.rooms, peer, name, outbox, 0), outbox);
    }

    private void say(Member who, String text) {
        routing.commands.text(who.session(), text);
    }

    @Test
    void linesJoinsAndLeavesStayInTheirRoom() {
        Member alice = join("alice");
        Member bob = join("bob");
        Member carol = join("carol");
        say(alice, "/join #dev");
        assertThat(alice.lines()).endsWith("* you are in #dev");
        assertThat(bob.lines()).endsWith("* alice left");
        say(bob, "/join #DEV");
        assertThat(bob.lines()).endsWith("* you are in #dev");
        assertThat(alice.lines()).endsWith("* bob joined");
        say(alice, "only for dev");
        say(carol, "only for the lobby");
        assertThat(bob.lines()).contains("alice: only for dev").doesNotContain("carol: only for the lobby");
        assertThat(carol.lines()).doesNotContain("alice: only for dev");
        assertThat(alice.lines()).doesNotContain("carol: only for the lobby");
        say(alice, "/who");
        assertThat(alice.lines()).endsWith("* online (2): alice, bob");
        say(carol, "/rooms");
        assertThat(carol.lines()).endsWith("* rooms: #dev (2), #lobby (1)");
        say(alice, "/join #dev");
        assertThat(alice.lines()).endsWith("* you are in #dev");
    }

    @Test
    void aNewcomerGetsTheRoomsRecentLinesWithTheirTimeFramedByNotices() {
        Member alice = join("alice");
        Member bob = join("bob");
        routing.millis.set(1_767_225_600_000L + 14 * 3_600_000L + 3 * 60_000L); // 14:03 UTC
        say(alice, "hi");
        say(bob, "hello alice");
        say(alice, "/msg bob private words");
        Member carol = join("carol");
        assertThat(carol.lines()).containsExactly("* you are carol; say something to join the room (/help lists commands)", "* earlier in #lobby:",
                "[14:03] alice: hi", "[14:03] bob: hello alice", "* end of earlier lines");
        assertThat(String.join("\n", carol.lines())).as("private messages are never history")
                .doesNotContain("private words");
        assertThat(carol.outbox().deliveries).filteredOn(d -> d instanceof Delivery.Line)
                .allMatch(d -> ((Delivery.Line) d).history());
    }

    @Test
    void joiningARoomSendsItsHistoryAndAnEmptyRoomSendsNone() {
        Member alice = join("alice");
        say(alice, "/join #dev");
        assertThat(alice.lines()).endsWith("* you are in #dev");
        say(alice, "first in dev");
        Member bob = join("bob");
        say(bob, "/join #dev");
        assertThat(bob.lines()).endsWith("* you are in #dev", "* earlier in #dev:", "[00:00] alice: first in dev",
                "* end of earlier lines");
        Member carol = join("carol");
        assertThat(carol.lines()).as("nothing was said in #lobby").containsExactly("* you are carol; say something to join the room (/help lists commands)");
    }

    @Test
    void historyOnArrivalIsBoundedByTheReplayLimitAndKeepsTheNewest() {
        routing = new TestRooms(sessions, counters, new RoomLimits(10, 10, 3));
        Member alice = join("alice");
        for (int i = 1; i <= 5; i++) {
            say(alice, "line " + i);
        }
        Member bob = join("bob");
        assertThat(bob.lines()).containsExactly("* you are bob; say something to join the room (/help lists commands)", "* earlier in #lobby:",
                "[00:00] alice: line 3", "[00:00] alice: line 4", "[00:00] alice: line 5", "* end of earlier lines");
    }

    @Test
    void lineIdsIncreaseWithinARoom() {
        Member alice = join("alice");
        Member bob = join("bob");
        say(alice, "one");
        say(alice, "two");
        say(alice, "three");
        List<Long> ids = bob.outbox().deliveries.stream().filter(d -> d instanceof Delivery.Line)
                .map(d -> ((Delivery.Line) d).id()).toList();
        assertThat(ids).hasSize(3).isSorted().doesNotHaveDuplicates();
        assertThat(ids.get(0)).as("the time it was said, in the high bits")
                .isEqualTo(routing.millis.get() << LineIds.PER_MILLISECOND_BITS);
    }

    @Test
    void roomNamesAndLimitsAreEnforcedWithANotice() {
        routing = new TestRooms(sessions, counters, new RoomLimits(2, 2, 50));
        Member alice = join("alice");
        Member bob = join("bob");
        say(alice, "/join dev");
        assertThat(alice.lines()).endsWith("* a room is # and 1-32 letters, digits, _ - . (not dev)");
        say(alice, "/join #dev");
        say(bob, "/join #ops");
        assertThat(bob.lines()).as("#lobby and #dev exist here").endsWith("* too many rooms: join one that exists (/rooms lists them)");
        Member carol = join("carol");
        say(bob, "/join #dev");
        say(carol, "/join #dev");
        assertThat(carol.lines()).endsWith("* #dev is full");
        say(carol, "/join");
        assertThat(carol.lines()).endsWith("* usage: /join #room");
    }

    @Test
    void anEmptiedRoomIsForgottenButItsHistoryStays() {
        Member alice = join("alice");
        say(alice, "/join #dev");
        say(alice, "said in dev");
        say(alice, "/join #lobby");
        say(alice, "/rooms");
        assertThat(alice.lines()).endsWith("* rooms: #lobby (1)");
        say(alice, "/join #dev");
        assertThat(alice.lines()).endsWith("* earlier in #dev:", "[00:00] alice: said in dev", "* end of earlier lines");
    }
}
