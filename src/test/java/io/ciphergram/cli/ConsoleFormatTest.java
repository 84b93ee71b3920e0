package io.ciphergram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;

import org.junit.jupiter.api.Test;

class ConsoleFormatTest {

    private static final LocalDateTime AT = LocalDateTime.of(2026, 11, 25, 9, 5, 7);

    @Test
    void linesKeepTheirFormatWithTheTimeBeforeThemOnlyWhenAsked() {
        assertThat(new ConsoleFormat(ConsoleFormat.Timestamps.OFF).incoming("bob: hi", "alice", AT).text())
                .isEqualTo("bob: hi");
        assertThat(new ConsoleFormat(ConsoleFormat.Timestamps.SHORT).incoming("* bob joined", "alice", AT).text())
                .isEqualTo("09:05 * bob joined");
        assertThat(new ConsoleFormat(ConsoleFormat.Timestamps.FULL).incoming("bob: hi", "alice", AT).text())
                .isEqualTo("2026-11-25 09:05:07 bob: hi");
    }

    @Test
    void aServerCannotDriveTheTerminalThroughALine() {
        assertThat(new ConsoleFormat(ConsoleFormat.Timestamps.OFF).incoming("bob: \u001b]0;owned\u0007x", "a", AT).text())
                .isEqualTo("bob: \uFFFD]0;owned\uFFFDx");
    }

    @Test
    void privateMessagesAndMentionsAsAWordAreForTheUserNoticesNever() {
        assertThat(ConsoleFormat.forYou("bob (private): psst", "alice")).isTrue();
        assertThat(ConsoleFormat.forYou("bob: Alice, look", "alice")).isTrue();
        assertThat(ConsoleFormat.forYou("bob: hi @alice!", "alice")).isTrue();
        assertThat(ConsoleFormat.forYou("bob: malice and alice2", "alice")).isFalse();
        assertThat(ConsoleFormat.forYou("alice-fan: hello", "alice")).as("the sender's name is not a mention").isFalse();
        assertThat(ConsoleFormat.forYou("* alice joined", "alice")).isFalse();
    }

    @Test
    void whatWasSentIsShownAsThePageShowsIt() {
        ConsoleFormat format = new ConsoleFormat(ConsoleFormat.Timestamps.SHORT);
        assertThat(format.sent("hello all", AT)).isEqualTo("09:05 you: hello all");
        assertThat(format.sent("/msg bob see you at 5", AT)).isEqualTo("09:05 you -> bob (private): see you at 5");
        assertThat(format.sent("/who", AT)).isNull();
    }

    @Test
    void theRelaysHelpBecomesALinePerCommand() {
        assertThat(new ConsoleFormat(ConsoleFormat.Timestamps.OFF).perCommand("* commands: /who lists who is online;"
                + " /msg <name> <text> sends a private message; /quit leaves; /help shows this"))
                .containsExactly("* commands:", "*   /who lists who is online",
                        "*   /msg <name> <text> sends a private message", "*   /quit leaves", "*   /help shows this");
        assertThat(new ConsoleFormat(ConsoleFormat.Timestamps.OFF).perCommand("bob: * commands: x")).containsExactly(
                "bob: * commands: x");
    }
}
