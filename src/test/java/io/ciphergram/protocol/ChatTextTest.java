package io.ciphergram.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the relay does to every relayed text and the console client to every line it prints. */
class ChatTextTest {

    @Test
    void terminalControlSequencesAreDefused() {
        String attack = "hi\u001b]0;pwned\u0007\u001b[2J\u009b31m";
        String shown = ChatText.clean(attack);
        assertThat(shown).doesNotContain("\u001b", "\u0007", "\u009b")
                .isEqualTo("hi\uFFFD]0;pwned\uFFFD\uFFFD[2J\uFFFD31m");
    }

    @Test
    void lineBreaksOfEveryKindBecomeOneVisibleMarkSoNoOneCanStartANewLine() {
        assertThat(ChatText.clean("a\r\n* alice left\nb\rc\u2028d\u2029e"))
                .isEqualTo("a\u2424* alice left\u2424b\u2424c\u2424d\u2424e")
                .doesNotContain("\n", "\r");
    }

    @Test
    void bidirectionalOverridesCannotReorderWhatAReaderSees() {
        assertThat(ChatText.clean("pay \u202Eevil\u202C now \u2066x\u2069")).isEqualTo("pay \uFFFDevil\uFFFD now \uFFFDx\uFFFD");
    }

    @Test
    void ordinaryTextIsLeftAsItIsAndATabBecomesASpace() {
        String text = "grüße, 你好 ✓ 🙂";
        assertThat(ChatText.clean(text)).isSameAs(text);
        assertThat(ChatText.clean("a\tb")).isEqualTo("a b");
    }

    @Test
    void anExcerptIsCutWithAnEllipsisNeverInsideASurrogatePairAndCleaned() {
        assertThat(ChatText.excerpt("abcdef", 3)).isEqualTo("abc\u2026");
        assertThat(ChatText.excerpt("ab🙂cd", 3)).isEqualTo("ab\u2026");
        assertThat(ChatText.excerpt("a\nb", 10)).isEqualTo("a\u2424b");
        assertThat(ChatText.excerpt("short", 10)).isEqualTo("short");
    }
}
