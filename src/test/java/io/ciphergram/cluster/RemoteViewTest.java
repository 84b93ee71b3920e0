package io.ciphergram.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** What one instance knows of the others, fed by events that can be lost or overtaken and by snapshots. */
class RemoteViewTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long TTL = 10 * SECOND;

    private final RemoteView view = new RemoteView();

    private static ClusterMessage.NameChange event(String origin, long revision, ClusterMessage.Change change, String name) {
        return new ClusterMessage.NameChange(origin, revision, change, name);
    }

    private static ClusterLink.InstanceState state(String id, long revision, Map<String, String> claims, String... members) {
        return new ClusterLink.InstanceState(id, revision, "{}", claims, Set.of(members));
    }

    @Test
    void aJoinElsewhereIsAnnouncedOnceAndListed() {
        assertThat(view.apply(event("a", 1, ClusterMessage.Change.CLAIMED, "Alice"), 0).none()).isTrue();
        assertThat(view.claimed("alice")).isTrue();
        RemoteView.Changes joined = view.apply(event("a", 2, ClusterMessage.Change.JOINED, "Alice"), 0);
        assertThat(joined.joined()).containsExactly("Alice");
        assertThat(view.members()).containsExactly("Alice");
        assertThat(view.holderOf("alice")).isEqualTo("a");
        assertThat(view.apply(event("a", 3, ClusterMessage.Change.LEFT, "Alice"), 0).left()).containsExactly("Alice");
        assertThat(view.members()).isEmpty();
    }

    @Test
    void anEventOlderThanWhatIsKnownChangesNothing() {
        view.apply(event("a", 5, ClusterMessage.Change.JOINED, "bob"), 0);
        assertThat(view.apply(event("a", 4, ClusterMessage.Change.LEFT, "bob"), 0).none()).isTrue();
        assertThat(view.members()).containsExactly("bob");
    }

    @Test
    void aSnapshotOlderThanAnEventThatOvertookItDoesNotUndoIt() {
        long asked = 1 * SECOND;
        view.apply(event("a", 7, ClusterMessage.Change.JOINED, "carol"), 2 * SECOND);
        RemoteView.Changes changes = view.replace(List.of(state("a", 6, Map.of())), "me", asked, 3 * SECOND, 0, true);
        assertThat(changes.none()).isTrue();
        assertThat(view.members()).containsExactly("carol");
    }

    @Test
    void aSnapshotCorrectsWhatLostEventsLeftWrong() {
        view.apply(event("a", 1, ClusterMessage.Change.JOINED, "dave"), 0);
        // "dave left" and "erin joined" were lost on the way
        RemoteView.Changes changes = view.replace(List.of(state("a", 3, Map.of("erin", "Erin"), "erin")), "me", SECOND,
                2 * SECOND, 0, true);
        assertThat(changes.left()).containsExactly("dave");
        assertThat(changes.joined()).containsExactly("Erin");
        assertThat(view.claimed("erin")).isTrue();
    }

    @Test
    void anInstanceMissingFromASnapshotIsGoneUnlessHeardFromSinceItWasAskedFor() {
        view.apply(event("old", 1, ClusterMessage.Change.JOINED, "frank"), 0);
        view.apply(event("new", 1, ClusterMessage.Change.JOINED, "gina"), 5 * SECOND);
        RemoteView.Changes changes = view.replace(List.of(), "me", 4 * SECOND, 6 * SECOND, 0, true);
        assertThat(changes.left()).containsExactly("frank");
        assertThat(view.members()).containsExactly("gina");
    }

    @Test
    void rightAfterReconnectingAnInstanceNotYetBackInTheStoreIsKeptUntilItsTtlRunsOut() {
        view.apply(event("a", 1, ClusterMessage.Change.JOINED, "frank"), 0);
        long up = SECOND;
        assertThat(view.replace(List.of(), "me", 2 * SECOND, 2 * SECOND, up, false).none()).isTrue();
        assertThat(view.members()).containsExactly("frank");
        assertThat(view.expire(TTL + 1, TTL).left()).containsExactly("frank");
    }

    @Test
    void rightAfterReconnectingAnInstanceThatWasBackAndIsMissingAgainIsGone() {
        long up = SECOND;
        view.replace(List.of(state("a", 1, Map.of("gus", "gus"), "gus")), "me", 2 * SECOND, 2 * SECOND, up, false);
        RemoteView.Changes changes = view.replace(List.of(), "me", 3 * SECOND, 3 * SECOND, up, false);
        assertThat(changes.left()).containsExactly("gus");
    }

    @Test
    void theInstanceItselfIsNotPartOfItsView() {
        view.replace(List.of(state("me", 1, Map.of("hal", "hal"), "hal")), "me", 0, 0, 0, true);
        assertThat(view.members()).isEmpty();
        assertThat(view.claimed("hal")).isFalse();
    }

    @Test
    void aNameListedByTwoInstancesJoinsOnceAndLeavesWithTheLastOfThem() {
        assertThat(view.apply(event("a", 1, ClusterMessage.Change.JOINED, "ivy"), 0).joined()).containsExactly("ivy");
        assertThat(view.apply(event("b", 1, ClusterMessage.Change.JOINED, "IVY"), 0).none()).isTrue();
        assertThat(view.members()).hasSize(1);
        assertThat(view.apply(event("a", 2, ClusterMessage.Change.LEFT, "ivy"), 0).none()).isTrue();
        assertThat(view.apply(event("b", 2, ClusterMessage.Change.LEFT, "IVY"), 0).left()).containsExactly("ivy");
    }

    @Test
    void instancesNotConfirmedWithinTheTtlAreTakenForDead() {
        view.apply(event("a", 1, ClusterMessage.Change.JOINED, "jack"), 0);
        view.replace(List.of(state("a", 1, Map.of("jack", "jack"), "jack")), "me", 0, 3 * SECOND, 0, true);
        assertThat(view.expire(3 * SECOND + TTL, TTL).none()).as("exactly the ttl: still alive").isTrue();
        RemoteView.Changes changes = view.expire(3 * SECOND + TTL + 1, TTL);
        assertThat(changes.left()).containsExactly("jack");
        assertThat(view.claimed("jack")).isFalse();
        assertThat(view.status()).isEmpty();
    }

    @Test
    void aGoodbyeRemovesAllOfAnInstancesNamesAtOnce() {
        view.apply(event("a", 1, ClusterMessage.Change.JOINED, "kim"), 0);
        view.apply(event("a", 2, ClusterMessage.Change.JOINED, "lou"), 0);
        view.apply(event("b", 1, ClusterMessage.Change.JOINED, "max"), 0);
        assertThat(view.drop("a").left()).containsExactlyInAnyOrder("kim", "lou");
        assertThat(view.members()).containsExactly("max");
    }
}
