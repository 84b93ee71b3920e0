package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.vertx.core.json.JsonObject;

/** App frames and KeyOffer extensions, against the vectors docs/PROTOCOL.md holds (the page checks them too). */
class AppCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The {@code app-vectors} block of docs/PROTOCOL.md. */
    static JsonObject vectors() throws Exception {
        String doc = Files.readString(Path.of("docs/PROTOCOL.md"));
        int start = doc.indexOf("```json app-vectors");
        int from = doc.indexOf('\n', start) + 1;
        return new JsonObject(doc.substring(from, doc.indexOf("```", from)));
    }

    /** The frames the vectors hold, by name. */
    static Map<String, AppFrame> frames() {
        byte[] envelope = HEX.parseHex("01016101620000000100");
        byte[] x25519 = new byte[32];
        byte[] signature = new byte[64];
        for (int i = 0; i < 64; i++) {
            signature[i] = (byte) i;
            if (i < 32) {
                x25519[i] = (byte) (0xA0 + i);
            }
        }
        return Map.of(
                "line", new AppFrame.Line(1L << 20 | 7, 1_767_225_600_000L, false, false, "#lobby", "alice", "hello ✓"),
                "history_line", new AppFrame.Line(42, 1_767_225_600_000L, true, false, "#dev", "bob", "earlier"),
                "private_line", new AppFrame.Line(0, 1_767_225_600_000L, false, true, "", "carol", "psst"),
                "notice", new AppFrame.Notice(1_767_225_600_000L, "* you are in #dev"),
                "sealed", new AppFrame.Sealed(1_767_225_600_000L, true, envelope),
                "bundle_none", new AppFrame.Bundle("dave", new byte[0]),
                "seal", new AppFrame.Seal("bob", envelope),
                "get_bundle", new AppFrame.GetBundle("bob"),
                "publish_prekey", new AppFrame.PublishPrekey(2, 1_767_225_600_000L, x25519, signature));
    }

    @Test
    void everyFrameEncodesToItsVectorAndBack() throws Exception {
        JsonObject v = vectors().getJsonObject("frames");
        Map<String, AppFrame> frames = frames();
        assertThat(v.fieldNames()).containsExactlyInAnyOrderElementsOf(frames.keySet());
        for (Map.Entry<String, AppFrame> e : frames.entrySet()) {
            byte[] wire = HEX.parseHex(v.getString(e.getKey()));
            assertThat(AppCodec.encode(e.getValue())).as(e.getKey()).isEqualTo(wire);
            assertThat(AppCodec.decode(wire)).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void aTextLineIsNeverAFrame() {
        assertThat(AppCodec.isFrame("/msg bob hi".getBytes())).isFalse();
        assertThat(AppCodec.isFrame("hello".getBytes())).isFalse();
        assertThat(AppCodec.isFrame(new byte[0])).isFalse();
        assertThat(AppCodec.isFrame(new byte[] {0x10})).isTrue();
    }

    @Test
    void anythingButTheOneEncodingIsMalformed() {
        byte[] line = AppCodec.encode(frames().get("get_bundle"));
        byte[] trailing = java.util.Arrays.copyOf(line, line.length + 1);
        for (byte[] bad : new byte[][] {{0x05}, {0x11}, {0x11, 0}, {0x11, 33}, trailing, {0x11, 2, 'a', ' '},
                {0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 'a'}}) {
            assertThatThrownBy(() -> AppCodec.decode(bad)).isInstanceOf(FrameException.class)
                    .extracting(e -> ((FrameException) e).reason()).isEqualTo(DropReason.MALFORMED_APP_FRAME);
        }
    }

    @Test
    void randomBytesNeverCrashTheDecoder() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(80)];
            random.nextBytes(bytes);
            if (bytes.length > 0) {
                bytes[0] = (byte) random.nextInt(0x20);
            }
            try {
                AppFrame frame = AppCodec.decode(bytes);
                assertThat(AppCodec.encode(frame)).isEqualTo(bytes);
            } catch (FrameException expected) {
                assertThat(expected.reason()).isEqualTo(DropReason.MALFORMED_APP_FRAME);
            }
        }
    }

    @Test
    void keyOfferExtensionsTravelAndAnUnknownOneIsSkipped() throws Exception {
        JsonObject v = vectors().getJsonObject("key_offer_extensions");
        V2Frame.KeyOffer offer = new V2Frame.KeyOffer(new byte[16], new byte[32], new byte[] {1, 2, 3}, "alice",
                new V2Frame.Extensions(null, V2Frame.Extensions.FRAMED, new V2Frame.Resume("#dev", 1L << 20 | 9)));
        byte[] wire = V2Codec.encode(offer);
        String hex = HEX.formatHex(wire);
        assertThat(hex.substring(0, v.getString("hex").length())).isEqualTo(v.getString("hex"));
        V2Frame.KeyOffer back = (V2Frame.KeyOffer) V2Codec.decode(wire);
        assertThat(back.extensions()).isEqualTo(offer.extensions());
        assertThat(back.extensions().framed()).isTrue();

        byte[] unknown = wire.clone();
        int after = v.getString("hex").length() / 2;
        unknown[after] = 0x7F;
        unknown[after + 1] = 2; // an extension of a later client: type 7F, two bytes
        assertThat(((V2Frame.KeyOffer) V2Codec.decode(unknown)).extensions()).isEqualTo(offer.extensions());

        byte[] twice = wire.clone();
        System.arraycopy(HEX.parseHex("020101"), 0, twice, after, 3);
        assertThatThrownBy(() -> V2Codec.decode(twice)).isInstanceOf(FrameException.class);
        assertThat(((V2Frame.KeyOffer) V2Codec.decode(V2Codec.encode(new V2Frame.KeyOffer(new byte[16],
                new byte[32], new byte[] {1}, "old")))).extensions()).isEqualTo(V2Frame.Extensions.NONE);
    }

    /** Prints the vectors for the document (run by hand when a layout changes). */
    public static void main(String[] args) {
        JsonObject frames = new JsonObject();
        for (Iterator<Map.Entry<String, AppFrame>> it = frames().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).iterator(); it.hasNext(); ) {
            Map.Entry<String, AppFrame> e = it.next();
            frames.put(e.getKey(), HEX.formatHex(AppCodec.encode(e.getValue())));
        }
        V2Frame.KeyOffer offer = new V2Frame.KeyOffer(new byte[16], new byte[32], new byte[] {1, 2, 3}, "alice",
                new V2Frame.Extensions(null, V2Frame.Extensions.FRAMED, new V2Frame.Resume("#dev", 1L << 20 | 9)));
        String hex = HEX.formatHex(V2Codec.encode(offer)).replaceAll("(00)+$", "");
        System.out.println(new JsonObject().put("frames", frames)
                .put("key_offer_extensions", new JsonObject().put("hex", hex)).encodePrettily());
    }
}
