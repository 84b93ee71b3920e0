package io.ciphergram.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** What crosses the bus: every message survives the trip, and no bytes anyone writes there get past as something else. */
class ClusterCodecTest {

    private static ClusterMessage roundTrip(ClusterMessage message) throws ClusterCodec.Malformed {
        return ClusterCodec.decode(ClusterCodec.encode(message));
    }

    private static ClusterCodec.Reason reasonFor(String text) {
        return reasonFor(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ClusterCodec.Reason reasonFor(byte[] bytes) {
        try {
            ClusterCodec.decode(bytes);
            return null;
        } catch (ClusterCodec.Malformed e) {
            return e.reason();
        }
    }

    @Test
    void everyKindOfMessageSurvivesTheTrip() throws Exception {
        List<ClusterMessage> messages = List.of(
                new ClusterMessage.Line("node-a.1", 1767225600000123L, "#lobby", "alice", 1767225600000L, "hello, with  spaces ✓ and \n a line break"),
                new ClusterMessage.Line("node-a.1", 1767225600000123L, "#lobby", "alice", 1767225600000L, ""),
                new ClusterMessage.Direct("b", "bob", "Alice", "just us"),
                new ClusterMessage.NameChange("b", 42, ClusterMessage.Change.CLAIMED, "Bob_2"),
                new ClusterMessage.NameChange("b", 43, ClusterMessage.Change.RELEASED, "Bob_2"),
                new ClusterMessage.NameChange("b", 44, ClusterMessage.Change.JOINED, "guest-7"),
                new ClusterMessage.NameChange("b", Long.MAX_VALUE / 10, ClusterMessage.Change.LEFT, "x.y"),
                new ClusterMessage.Moved("b", "bob", "#dev"),
                new ClusterMessage.Hello("c"),
                new ClusterMessage.Bye("c"));
        for (ClusterMessage message : messages) {
            assertThat(roundTrip(message)).isEqualTo(message);
        }
    }

    @Test
    void anEnvelopeCrossesAsItsSenderSealedIt() throws Exception {
        byte[] envelope = {1, 1, 0x61, 1, 0x62, 0, 0, 0, 1, 0, (byte) 0xff};
        ClusterMessage.Sealed back = (ClusterMessage.Sealed) roundTrip(
                new ClusterMessage.Sealed("a", "alice", "bob", 1767225600000L, envelope));
        assertThat(back.envelope()).isEqualTo(envelope);
        assertThat(back.from() + " " + back.to() + " " + back.timeMillis()).isEqualTo("alice bob 1767225600000");
        assertThat(reasonFor("cg1 sealed a alice bob 1 not*base64")).isEqualTo(ClusterCodec.Reason.MALFORMED);
        assertThat(reasonFor("cg1 moved a bob dev")).as("a room starts with #").isEqualTo(ClusterCodec.Reason.MALFORMED);
        assertThat(reasonFor("cg1 moved a bob #Dev")).as("rooms cross in canonical form").isEqualTo(ClusterCodec.Reason.MALFORMED);
    }

    @Test
    void theWireFormIsOneReadableLine() {
        assertThat(new String(ClusterCodec.encode(new ClusterMessage.Line("a", 7, "#lobby", "alice", 1767225600000L, "hi there")), StandardCharsets.UTF_8))
                .isEqualTo("cg1 line a 7 #lobby alice 1767225600000 hi there");
        assertThat(new String(ClusterCodec.encode(new ClusterMessage.NameChange("a", 7, ClusterMessage.Change.JOINED, "Bob")),
                StandardCharsets.UTF_8)).isEqualTo("cg1 joined a 7 Bob");
    }

    @Test
    void theLongestTextFitsAndLongerIsRefused() throws Exception {
        String longest = "é".repeat(ClusterCodec.MAX_TEXT_BYTES / 2);
        assertThat(roundTrip(new ClusterMessage.Line("a", 7, "#lobby", "alice", 1767225600000L, longest))).isEqualTo(new ClusterMessage.Line("a", 7, "#lobby", "alice", 1767225600000L, longest));
        assertThat(reasonFor("cg1 line a 7 #lobby alice 1 " + "x".repeat(ClusterCodec.MAX_TEXT_BYTES + 1)))
                .isEqualTo(ClusterCodec.Reason.OVERSIZE);
        assertThat(reasonFor(new byte[ClusterCodec.MAX_MESSAGE_BYTES + 1])).isEqualTo(ClusterCodec.Reason.OVERSIZE);
    }

    @Test
    void whatNoInstanceWritesIsRefusedAsMalformed() {
        List<String> bad = List.of("", "cg1", "cg1 ", "cg2 line a alice hi", "CG1 line a alice hi", "cg1 shout a alice hi",
                "cg1 line a alice", "cg1 line a " + "n".repeat(33) + " hi", "cg1 line a al/ce hi",
                "cg1 line " + "i".repeat(65) + " alice hi", "cg1 line a:b alice hi", "cg1 msg a alice bob",
                "cg1 msg a alice b@b hi", "cg1 joined a 7", "cg1 joined a seven bob", "cg1 joined a -7 bob",
                "cg1 joined a 1234567890123456789 bob", "cg1 joined a 7 bob extra", "cg1 joined a 7 bob ",
                "cg1 hello", "cg1 hello a b", "cg1 bye a ", " cg1 bye a", "cg1  line a alice hi", "cg1 line  a alice hi",
                "cg1 line a alice\u00e9 hi", "cg1 joined a 7 b\u0000b",
                "cg1 line a #lobby alice 1 no number for the line", "cg1 line a -1 #lobby alice 1 hi");
        for (String text : bad) {
            assertThat(reasonFor(text)).as(text).isEqualTo(ClusterCodec.Reason.MALFORMED);
        }
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        byte[] invalid = "cg1 line a alice xx".getBytes(StandardCharsets.UTF_8);
        invalid[invalid.length - 1] = (byte) 0xC3; // a lead byte with nothing after it
        assertThat(reasonFor(invalid)).isEqualTo(ClusterCodec.Reason.MALFORMED);
        byte[] surrogate = {'c', 'g', '1', ' ', 'l', 'i', 'n', 'e', ' ', 'a', ' ', 'b', ' ', (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        assertThat(reasonFor(surrogate)).isEqualTo(ClusterCodec.Reason.MALFORMED);
    }

    @Test
    void noBytesMakeTheDecoderFailAnyOtherWay() {
        Random random = new Random(20261126);
        List<byte[]> seeds = List.of(ClusterCodec.encode(new ClusterMessage.Line("a", 7, "#lobby", "alice", 1767225600000L, "hello there")),
                ClusterCodec.encode(new ClusterMessage.Direct("a", "alice", "bob", "psst")),
                ClusterCodec.encode(new ClusterMessage.NameChange("a", 12, ClusterMessage.Change.CLAIMED, "carol")),
                ClusterCodec.encode(new ClusterMessage.Bye("a")));
        for (int i = 0; i < 20_000; i++) {
            byte[] input;
            if (i % 2 == 0) {
                input = new byte[random.nextInt(80)];
                random.nextBytes(input);
            } else {
                byte[] seed = seeds.get(random.nextInt(seeds.size()));
                input = java.util.Arrays.copyOf(seed, Math.max(0, seed.length + random.nextInt(9) - 4));
                for (int flips = random.nextInt(3); flips >= 0 && input.length > 0; flips--) {
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                }
            }
            try {
                ClusterMessage message = ClusterCodec.decode(input);
                assertThat(ClusterCodec.isInstanceId(message.origin())).isTrue();
            } catch (ClusterCodec.Malformed expected) {
                // refused, with a reason
            }
        }
    }

    @Test
    void namesAndIdsHaveTheRegistrysAlphabet() {
        assertThat(ClusterCodec.isName("Alice.B-2_")).isTrue();
        assertThat(ClusterCodec.isName("x".repeat(32))).isTrue();
        assertThat(ClusterCodec.isName("x".repeat(33))).isFalse();
        assertThat(ClusterCodec.isName("")).isFalse();
        assertThat(ClusterCodec.isName("ä")).isFalse();
        assertThat(ClusterCodec.isInstanceId("host-1.example-ab12cd")).isTrue();
        assertThatThrownBy(() -> new ClusterSettings("bad name", "a", ClusterSettings.DEFAULT_HEARTBEAT,
                ClusterSettings.DEFAULT_TTL)).isInstanceOf(IllegalArgumentException.class);
    }
}
