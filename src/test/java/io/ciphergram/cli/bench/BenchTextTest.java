package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BenchTextTest {

    private final BenchText format = new BenchText("r7k2q9");
    private final BenchText.Parsed parsed = new BenchText.Parsed();

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aTextIsTheRunClientSequenceAndSendTimeThenPaddingToTheRequestedSize() {
        byte[] text = format.format(3, 1_234, 987_654_321, 40);
        assertThat(new String(text, StandardCharsets.US_ASCII)).isEqualTo("r7k2q9 3 1234 987654321 xxxxxxxxxxxxxxxx");
        assertThat(text).hasSize(40);
    }

    @Test
    void whatTheRelayDeliversAsNameColonTextParsesBackToTheFields() {
        byte[] text = format.format(12, 9_876_543_210L, 42, 100);
        byte[] relayed = ("br7k2q9-12: " + new String(text, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
        assertThat(format.parse(relayed, parsed)).isTrue();
        assertThat(parsed.client).isEqualTo(12);
        assertThat(parsed.seq).isEqualTo(9_876_543_210L);
        assertThat(parsed.sentNanos).isEqualTo(42);
    }

    @Test
    void thePlainRelaysUnchangedTextParsesToo() {
        assertThat(format.parse(format.format(0, 0, 0, 1), parsed)).isTrue();
        assertThat(parsed.client).isZero();
        assertThat(parsed.seq).isZero();
    }

    @Test
    void aSizeTooSmallForTheFieldsGivesJustTheFieldsAndPaddingIsNeverAloneASpace() {
        assertThat(new String(format.format(1, 2, 3, 5), StandardCharsets.US_ASCII)).isEqualTo("r7k2q9 1 2 3");
        // one byte more than the fields would be a lone trailing space, which a relay might strip
        assertThat(new String(format.format(1, 2, 3, 13), StandardCharsets.US_ASCII)).isEqualTo("r7k2q9 1 2 3 x");
    }

    @Test
    void noticesOtherRunsAndMalformedTextsAreNotThisRunsMessages() {
        assertThat(format.parse(ascii("* commands: /who lists who is online"), parsed)).isFalse();
        assertThat(format.parse(ascii("* br7k2q9-1 joined"), parsed)).isFalse();
        assertThat(format.parse(ascii("bx-1: zzzzzz 1 2 3 xxx"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9 1 2"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9 1 2 "), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9 1 2 3x"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9 -1 2 3"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9  1 2 3"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q91 1 2 3"), parsed)).isFalse();
        assertThat(format.parse(ascii("alice: hello"), parsed)).isFalse();
        assertThat(format.parse(new byte[0], parsed)).isFalse();
    }

    @Test
    void numbersTooLongToHoldAreRefusedRatherThanWrapped() {
        assertThat(format.parse(ascii("r7k2q9 1234567890 2 3"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9 1 1234567890123456789 3"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9 1 2 99999999999999999999"), parsed)).isFalse();
    }

    @Test
    void numbersAreReadOnlyAsWrittenWithoutLeadingZeros() {
        assertThat(format.parse(ascii("r7k2q9 01 2 3"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9 1 2 0003"), parsed)).isFalse();
        assertThat(format.parse(ascii("r7k2q9 0 0 0"), parsed)).isTrue();
    }

    @Test
    void onlyAPartOfABufferIsParsedWhenSoAsked() {
        byte[] buffer = ascii("garbage r7k2q9 4 5 6 xx trailing");
        assertThat(format.parse(buffer, 8, 15, parsed)).isTrue();
        assertThat(parsed.sentNanos).isEqualTo(6);
    }

    @Test
    void tagsAreShortAsciiAlphanumericsAndRandomOnesAreSo() {
        assertThatThrownBy(() -> new BenchText("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BenchText("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BenchText("ü")).isInstanceOf(IllegalArgumentException.class);
        String tag = BenchText.randomRun(new Random(1));
        assertThat(tag).hasSize(6).matches("[a-z0-9]+");
        assertThat(new BenchText(tag).run()).isEqualTo(tag);
    }
}
