package io.ciphergram.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class NoticesTest {

    @Test
    void theWelcomeSaysWhyANameWasChanged() {
        assertThat(Notices.welcome("alice", "alice", "alice", true)).isEqualTo("* you are alice; /help lists commands");
        assertThat(Notices.welcome("alice", "alice", "alice2", true))
                .isEqualTo("* you are alice2 (alice is taken); /help lists commands");
        assertThat(Notices.welcome("a b", "a_b", "a_b", false)).isEqualTo(
                "* you are a_b (names are 1-32 letters, digits, _ - .); say something to join the room (/help lists commands)");
    }

    @Test
    void theOnlineListIsSplitWithinTheLimitAndKeepsEveryName() {
        List<String> lines = Notices.online(List.of("alice", "bob", "carol", "dave"), 24);
        assertThat(lines).containsExactly("* online (4): alice, bob", "* carol, dave");
        assertThat(lines).allMatch(l -> l.length() <= 24);
    }

    @Test
    void floodLimitsAreWrittenWithoutNeedlessDecimals() {
        assertThat(Notices.flooded(10, 20)).isEqualTo("* slow down: messages over 10/s (burst 20) are dropped");
        assertThat(Notices.flooded(0.5, 2)).isEqualTo("* slow down: messages over 0.5/s (burst 2) are dropped");
    }

    @Test
    void everyNoticeLooksLikeOne() {
        assertThat(List.of(Notices.joined("a"), Notices.left("a"), Notices.HELP, Notices.BYE, Notices.noSuchUser("x"),
                Notices.unknownCommand("/x"), Notices.usage("u"), Notices.tooLong(2, 1), Notices.welcomeGuest("g", true)))
                .allMatch(n -> n.startsWith("* "));
        assertThat(Notices.privateMessage("alice", "hi")).isEqualTo("alice (private): hi");
    }
}
