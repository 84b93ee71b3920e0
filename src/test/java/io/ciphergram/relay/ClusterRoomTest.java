package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.ciphergram.cluster.ClusterCounters;
import io.ciphergram.cluster.ClusterNode;
import io.ciphergram.cluster.ClusterSettings;
import io.ciphergram.cluster.MemoryHub;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.session.ClassicSession;
import io.ciphergram.session.Confinement;
import io.ciphergram.session.SentBlocks;
import io.ciphergram.session.SessionLimits;
import io.ciphergram.session.SessionRegistry;
import io.ciphergram.testing.Peers;

/**
 * Two instances of one room, each its own registry and room, meeting through the in-memory hub on a clock
 * the test moves: what a member on one says and does reaches the members on the other, names are unique
 * across both, and a dead or cut-off instance's users leave within the stated bound.
 */
class ClusterRoomTest {

    private static final Duration HEARTBEAT = ClusterSettings.DEFAULT_HEARTBEAT;
    private static final Duration TTL = ClusterSettings.DEFAULT_TTL;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Deque<Runnable> wire = new ArrayDeque<>();
    private final MemoryHub hub = new MemoryHub(clock::get, wire::add);
    /** Every instance made, in order: each flushes its link when the test settles. */
    private final List<Instance> instances = new java.util.ArrayList<>();
    private final Instance a = new Instance("a");
    private final Instance b = new Instance("b");

    /** One instance: a registry and a room, joined to the hub. The test's thread is its relay thread. */
    private final class Instance {
        final SessionRegistry sessions = new SessionRegistry(SessionLimits.defaults(), clock::get, Confinement.firstUse());
        final Counters counters = new Counters();
        final TestRooms routing = new TestRooms(sessions, counters);
        final Rooms room = routing.rooms;
        final ClusterNode node;
        final String id;
        int nextPort = 1;

        Instance(String id) {
            this.id = id;
            instances.add(this);
            ClusterSettings settings = new ClusterSettings("test", id, HEARTBEAT, TTL);
            node = new ClusterNode(settings, hub.link(settings), Runnable::run, clock::get);
            ClusterBridge bridge = new ClusterBridge(sessions, room, routing.privately, node);
            room.cluster(node, false);
            sessions.claimNamesWith(bridge);
            node.start(bridge);
        }

        Member join(String name) {
            PeerId peer = Peers.udp(id.equals("a") ? "10.0.0.1" : "10.0.0.2", nextPort++);
            RecordingOutbox outbox = new RecordingOutbox();
            ClassicSession session = HandMadeSessions.member(sessions, room, peer, name, outbox, clock.get());
            settle();
            return new Member(this, session, outbox);
        }
    }

    /** A participant of one instance, with what it was sent. */
    private final class Member {
        final Instance at;
        final ClassicSession session;
        final RecordingOutbox outbox;

        Member(Instance at, ClassicSession session, RecordingOutbox outbox) {
            this.at = at;
            this.session = session;
            this.outbox = outbox;
        }

        List<String> lines() {
            return outbox.lines;
        }

        String name() {
            return session.name();
        }

        /** Says {@code text}, and everything it causes on either instance happens. */
        void say(String text) {
            at.routing.commands.text(session, text);
            settle();
        }
    }

    /** Everything queued on either link goes out, and everything on the wire arrives, until all is quiet. */
    private void settle() {
        do {
            instances.forEach(i -> i.node.flush());
            while (!wire.isEmpty()) {
                wire.poll().run();
            }
            instances.forEach(i -> i.node.flush());
        } while (!wire.isEmpty());
    }

    /** Instance {@code id} loses its link to the store, and what follows happens. */
    private void cut(String id) {
        hub.cut(id);
        settle();
    }

    /** Its link is back. */
    private void mend(String id) {
        hub.mend(id);
        settle();
    }

    /** The store restarts empty: every link goes down. */
    private void restart() {
        hub.restart();
        settle();
    }

    /** Time passes by heartbeats; each instance whose link is up beats (a dead one does not). */
    private void heartbeats(int n, Instance... beating) {
        for (int i = 0; i < n; i++) {
            clock.addAndGet(HEARTBEAT.toNanos());
            for (Instance instance : beating) {
                instance.node.tick();
            }
            settle();
        }
    }

    @Test
    void aMessageOnOneInstanceReachesEveryMemberOnTheOtherOnce() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        Member carol = b.join("carol");
        alice.say("hello from a");
        assertThat(bob.lines()).containsOnlyOnce("alice: hello from a");
        assertThat(carol.lines()).containsOnlyOnce("alice: hello from a");
        assertThat(alice.lines()).noneMatch(l -> l.contains("hello from a"));
        bob.say("hello from b");
        assertThat(alice.lines()).containsOnlyOnce("bob: hello from b");
        assertThat(carol.lines()).containsOnlyOnce("bob: hello from b");
        assertThat(a.node.counters().publishedCount()).isEqualTo(1);
    }

    @Test
    void joinsAndLeavesElsewhereAreAnnouncedAndWhoListsEveryone() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        assertThat(alice.lines()).contains("* bob joined");
        alice.say("/who");
        assertThat(alice.lines()).endsWith("* online (2): alice, bob");
        b.room.end(bob.session);
        settle();
        assertThat(alice.lines()).endsWith("* bob left");
    }

    @Test
    void roomsSpanTheInstancesLinesJoinsAndWhoStayInTheirRoom() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        Member carol = b.join("carol");
        alice.say("/join #dev");
        assertThat(bob.lines()).endsWith("* alice left");
        bob.say("/join #dev");
        assertThat(alice.lines()).endsWith("* bob joined");
        assertThat(carol.lines()).endsWith("* bob left");
        alice.say("for dev");
        assertThat(bob.lines()).containsOnlyOnce("alice: for dev");
        assertThat(carol.lines()).noneMatch(l -> l.contains("for dev"));
        carol.say("for the lobby");
        assertThat(alice.lines()).noneMatch(l -> l.contains("for the lobby"));
        alice.say("/who");
        assertThat(alice.lines()).endsWith("* online (2): alice, bob");
        carol.say("/rooms");
        assertThat(carol.lines()).endsWith("* rooms: #dev (2), #lobby (1)");
        b.room.end(bob.session);
        settle();
        assertThat(alice.lines()).endsWith("* bob left");
        assertThat(carol.lines()).as("when bob went to #dev, not when he quit").containsOnlyOnce("* bob left");
    }

    @Test
    void theClusterPortsLobbyIsTheProtocols() {
        assertThat(io.ciphergram.cluster.Cluster.LOBBY).isEqualTo(io.ciphergram.protocol.RoomName.LOBBY);
    }

    @Test
    void aNewcomerLearnsWhichRoomTheOthersMembersAreIn() {
        Member alice = a.join("alice");
        alice.say("/join #dev");
        Instance c = new Instance("c");
        settle();
        Member dave = c.join("dave");
        heartbeats(1, a, b, c);
        dave.say("/rooms");
        assertThat(dave.lines()).endsWith("* rooms: #dev (1), #lobby (1)");
    }

    @Test
    void aPrivateMessageCrossesToItsTargetOnly() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        Member carol = b.join("carol");
        alice.say("/msg BOB just us");
        assertThat(bob.lines()).endsWith("alice (private): just us");
        assertThat(carol.lines()).noneMatch(l -> l.contains("just us"));
        alice.say("/msg nobody hello?");
        assertThat(alice.lines()).endsWith("* no such user: nobody");
    }

    @Test
    void aNameHeldOnOneInstanceGetsASuffixOnTheOther() {
        a.join("alice");
        Member second = b.join("ALICE");
        assertThat(second.name()).isEqualTo("ALICE2");
        assertThat(second.lines()).first().isEqualTo(
                "* you are ALICE2 (ALICE is taken); say something to join the room (/help lists commands)");
        Member guestA = a.join(null);
        Member guestB = b.join(null);
        assertThat(guestA.name()).isEqualTo("guest-1");
        assertThat(guestB.name()).isEqualTo("guest-2");
    }

    @Test
    void twoInstancesGivingOutOneNameAtOnceEndWithOneRenamed() {
        Member watcher = a.join("watcher");
        Member onB = b.join("other");
        // both pick "carol" before either hears of the other's claim
        PeerId peerA = Peers.udp("10.0.0.1", 99);
        PeerId peerB = Peers.udp("10.0.0.2", 99);
        ClassicSession carolA = HandMadeSessions.arrived(a.sessions, a.room, peerA, "carol", new RecordingOutbox(),
                clock.get());
        ClassicSession carolB = HandMadeSessions.arrived(b.sessions, b.room, peerB, "carol", new RecordingOutbox(),
                clock.get());
        a.room.proven(carolA);
        b.room.proven(carolB);
        settle();
        assertThat(carolA.name()).as("a's claim reached the store first").isEqualTo("carol");
        assertThat(carolB.name()).isEqualTo("carol2");
        assertThat(((RecordingOutbox) carolB.outbox()).lines).contains("* you are carol2 (carol is taken); /help lists commands");
        assertThat(watcher.lines()).containsOnlyOnce("* carol joined").containsOnlyOnce("* carol2 joined")
                .doesNotContain("* carol left");
        assertThat(onB.lines()).containsOnlyOnce("* carol2 joined").doesNotContain("* carol left");
        assertThat(b.node.counters().renamedCount()).isEqualTo(1);
        assertThat(hub.holder("carol")).isEqualTo("a");
        assertThat(hub.holder("carol2")).isEqualTo("b");
    }


    @Test
    void aDeadInstancesUsersLeaveWithinTheBoundAndNotBeforeTheTtl() {
        Member alice = a.join("alice");
        b.join("bob");
        b.join("carol");
        heartbeats(1, a, b);
        // b dies: no more heartbeats, nothing more from it
        long died = clock.get();
        int beats = 0;
        while (alice.lines().stream().noneMatch(l -> l.equals("* carol left"))) {
            heartbeats(1, a);
            beats++;
            assertThat(beats).as("heartbeats before b's users left").isLessThan(20);
        }
        Duration gone = Duration.ofNanos(clock.get() - died);
        assertThat(gone).isGreaterThanOrEqualTo(TTL.minus(HEARTBEAT)).isLessThanOrEqualTo(TTL.plus(HEARTBEAT));
        assertThat(alice.lines()).contains("* bob left");
        assertThat(a.node.members("#lobby")).isEmpty();
        assertThat(hub.holder("bob")).as("its names are free again").isNull();
        Member newBob = a.join("bob");
        assertThat(newBob.name()).isEqualTo("bob");
    }

    @Test
    void aStoppingInstanceSaysGoodbyeAndItsUsersLeaveAtOnce() {
        Member alice = a.join("alice");
        b.join("bob");
        b.room.shutdown(Notices.SHUTTING_DOWN);
        settle();
        assertThat(alice.lines()).endsWith("* bob left");
        assertThat(hub.holder("bob")).isNull();
    }

    @Test
    void aCutOffInstanceKeepsItsLocalChatAndHealsWhenItsLinkIsBack() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        Member carol = b.join("carol");
        cut("b");
        assertThat(bob.lines()).endsWith(Notices.CLUSTER_DOWN);
        bob.say("said while apart");
        carol.say("and a second");
        assertThat(carol.lines()).endsWith("bob: said while apart");
        assertThat(alice.lines()).noneMatch(l -> l.contains("while apart"));
        assertThat(b.node.counters().unsentCount()).isZero();

        heartbeats((int) (TTL.dividedBy(HEARTBEAT) + 1), a, b);
        assertThat(bob.lines()).as("the other side's users leave, each side sees").contains("* alice left");
        assertThat(alice.lines()).contains("* bob left", "* carol left");

        mend("b");
        heartbeats(1, a, b);
        assertThat(bob.lines()).contains(Notices.CLUSTER_BACK, "* alice joined");
        assertThat(alice.lines().subList(alice.lines().size() - 2, alice.lines().size()))
                .containsExactlyInAnyOrder("* bob joined", "* carol joined");
        assertThat(alice.lines()).as("what b's members said while apart reaches a once the link is back, in order")
                .containsSubsequence("bob: said while apart", "carol: and a second");
        assertThat(alice.lines()).containsOnlyOnce("bob: said while apart", "carol: and a second");
        assertThat(b.node.counters().resentCount()).isEqualTo(2);
        bob.say("back together");
        assertThat(alice.lines()).endsWith("bob: back together");
        assertThat(b.node.counters().unsentCount()).isZero();
    }

    @Test
    void aLineStoredTwiceBecauseItsAnswerWasLostIsDeliveredOnce() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        hub.loseAnswers("b", true);
        bob.say("stored, but b never hears so");
        assertThat(alice.lines()).containsOnlyOnce("bob: stored, but b never hears so");
        hub.loseAnswers("b", false);
        heartbeats(1, a, b); // b appends it again
        assertThat(hub.logged()).as("the log has it twice").isEqualTo(2);
        assertThat(b.node.counters().resentCount()).isEqualTo(1);
        assertThat(a.node.counters().droppedCount(ClusterCounters.Drop.DUPLICATE)).isEqualTo(1);
        assertThat(alice.lines()).containsOnlyOnce("bob: stored, but b never hears so");
        heartbeats(1, a, b);
        assertThat(hub.logged()).as("stored now: not appended again").isEqualTo(2);
    }

    @Test
    void anInstanceCutOffLongerThanItsHoldGivesUpTheOldestLinesAndCountsThem() {
        Member alice = a.join("alice");
        b.join("bob");
        cut("b");
        int extra = 3;
        for (int i = 0; i < ClusterNode.MAX_HELD_LINES + extra; i++) {
            b.node.line("#lobby", "bob", "n" + i, 1_767_225_600_000L + i);
        }
        assertThat(b.node.counters().unsentCount()).isEqualTo(extra);
        mend("b");
        List<String> heard = alice.lines().stream().filter(l -> l.startsWith("bob: n")).toList();
        assertThat(heard).hasSize(ClusterNode.MAX_HELD_LINES);
        assertThat(heard.get(0)).isEqualTo("bob: n" + extra);
        assertThat(heard.get(heard.size() - 1)).isEqualTo("bob: n" + (ClusterNode.MAX_HELD_LINES + extra - 1));
    }

    @Test
    void aLineSaidElsewhereDuringThisInstancesOutageArrivesWhenItIsBack() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        cut("a");
        bob.say("while a was away");
        assertThat(alice.lines()).noneMatch(l -> l.contains("while a was away"));
        mend("a");
        assertThat(alice.lines()).containsOnlyOnce("bob: while a was away");
        assertThat(b.node.counters().resentCount()).as("b's link stayed up: nothing to send again").isZero();
    }

    @Test
    void aRestartOfTheStoreMakesNobodyLeaveWhateverOrderTheInstancesComeBackIn() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        heartbeats(1, a, b);
        restart();
        heartbeats(1, a, b);
        mend("a");
        heartbeats(2, a, b); // a's snapshots show a alone: b has not announced itself again yet
        mend("b");
        heartbeats(2, a, b);
        assertThat(alice.lines()).doesNotContain("* bob left");
        assertThat(bob.lines()).doesNotContain("* alice left");
        assertThat(hub.holder("bob")).isEqualTo("b");
        alice.say("after the restart");
        assertThat(bob.lines()).endsWith("alice: after the restart");
    }

    @Test
    void aNameGivenOutOnBothSidesWhileApartIsRenamedOnTheSideThatWasCutOff() {
        Member alice = a.join("alice");
        cut("b");
        heartbeats((int) (TTL.dividedBy(HEARTBEAT) + 1), a, b);
        Member daveB = b.join("dave");
        Member daveA = a.join("dave");
        assertThat(daveB.name()).isEqualTo("dave");
        assertThat(daveA.name()).isEqualTo("dave");
        mend("b");
        heartbeats(1, a, b);
        assertThat(daveA.name()).as("a stayed connected and kept its claim").isEqualTo("dave");
        assertThat(daveB.name()).isEqualTo("dave2");
        assertThat(daveB.lines()).contains("* you are dave2 (dave is taken); /help lists commands", "* dave joined");
        assertThat(alice.lines()).contains("* dave2 joined");
        alice.say("/who");
        assertThat(alice.lines()).endsWith("* online (3): alice, dave, dave2");
    }

    @Test
    void bytesOnTheBusThatAreNoMessageAreCountedAndChangeNothing() {
        Member alice = a.join("alice");
        Member bob = b.join("bob");
        hub.inject("cg1 line b bob".getBytes(StandardCharsets.UTF_8));
        hub.inject(new byte[] {(byte) 0xFF, 0x00, 0x7F});
        hub.inject("cg1 joined b notanumber mallory".getBytes(StandardCharsets.UTF_8));
        hub.inject("cg1 msg b bob nobody psst".getBytes(StandardCharsets.UTF_8));
        settle();
        assertThat(a.node.counters().droppedCount(ClusterCounters.Drop.MALFORMED)).isEqualTo(3);
        assertThat(a.node.counters().droppedCount(ClusterCounters.Drop.UNDELIVERABLE)).isEqualTo(1);
        assertThat(alice.lines()).noneMatch(l -> l.contains("mallory") || l.contains("psst"));
        bob.say("still fine");
        assertThat(alice.lines()).endsWith("bob: still fine");
    }
}
