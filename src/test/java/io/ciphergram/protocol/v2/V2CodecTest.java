package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;

class V2CodecTest {

    private static final byte[] NONCE = filled(32, 0x11);
    private static final byte[] COOKIE = filled(16, 0x22);
    private static final byte[] CLIENT_KEY = filled(294, 0x33); // the size of an RSA-2048 SubjectPublicKeyInfo
    private static final byte[] IDENTITY_KEY = filled(44, 0x44); // the size of an Ed25519 SubjectPublicKeyInfo
    private static final byte[] WRAPPED = filled(256, 0x55); // RSA-OAEP to a 2048-bit key
    private static final byte[] SIGNATURE = filled(64, 0x66); // Ed25519
    private static final V2Frame.Limits LIMITS = new V2Frame.Limits(10, 20, 65_536, 180, 10);

    private static final V2Frame.KeyOffer KEY_OFFER = new V2Frame.KeyOffer(COOKIE, NONCE, CLIENT_KEY, "alice ✓");
    private static final V2Frame.KeyReply KEY_REPLY = new V2Frame.KeyReply(filled(32, 0x77), 0x0102030405060708L,
            IDENTITY_KEY, WRAPPED, LIMITS, SIGNATURE);

    // ---- round trips and sizes ------------------------------------------------------------------

    @Test
    void helloRoundTripsAndIsPaddedToExactly1200Bytes() throws Exception {
        byte[] datagram = V2Codec.encode(new V2Frame.Hello(NONCE));

        assertThat(datagram).hasSize(1200);
        assertThat(Arrays.copyOfRange(datagram, 0, 3)).containsExactly(0xFF, 0x02, 0x01);
        V2Frame.Hello decoded = (V2Frame.Hello) V2Codec.decode(datagram);
        assertThat(decoded.clientNonce()).isEqualTo(NONCE);
    }

    @Test
    void retryRoundTripsAndIsSmallerThanTheHelloThatCausesIt() throws Exception {
        byte[] datagram = V2Codec.encode(new V2Frame.Retry(NONCE, COOKIE));

        assertThat(datagram).hasSize(3 + 32 + 16);
        assertThat(datagram.length).isLessThan(V2Codec.encode(new V2Frame.Hello(NONCE)).length);
        V2Frame.Retry decoded = (V2Frame.Retry) V2Codec.decode(datagram);
        assertThat(decoded.clientNonce()).isEqualTo(NONCE);
        assertThat(decoded.cookie()).isEqualTo(COOKIE);
    }

    @Test
    void keyOfferRoundTripsAndIsPaddedToExactly1200Bytes() throws Exception {
        byte[] datagram = V2Codec.encode(KEY_OFFER);

        assertThat(datagram).hasSize(1200);
        V2Frame.KeyOffer decoded = (V2Frame.KeyOffer) V2Codec.decode(datagram);
        assertThat(decoded.cookie()).isEqualTo(COOKIE);
        assertThat(decoded.clientNonce()).isEqualTo(NONCE);
        assertThat(decoded.clientPublicKey()).isEqualTo(CLIENT_KEY);
        assertThat(decoded.name()).isEqualTo("alice ✓");
    }

    @Test
    void keyReplyRoundTripsAndFitsUnderTheHelloSize() throws Exception {
        byte[] datagram = V2Codec.encode(KEY_REPLY);

        assertThat(datagram.length).isLessThan(1200);
        V2Frame.KeyReply decoded = (V2Frame.KeyReply) V2Codec.decode(datagram);
        assertThat(decoded.serverNonce()).isEqualTo(KEY_REPLY.serverNonce());
        assertThat(decoded.sessionId()).isEqualTo(0x0102030405060708L);
        assertThat(decoded.serverIdentityKey()).isEqualTo(IDENTITY_KEY);
        assertThat(decoded.wrappedSecret()).isEqualTo(WRAPPED);
        assertThat(decoded.limits()).isEqualTo(LIMITS);
        assertThat(decoded.signature()).isEqualTo(SIGNATURE);
    }

    @Test
    void keyReplyToTheLargestAcceptedClientKeyStillFitsOneDatagram() {
        byte[] wrappedTo4096BitKey = filled(512, 0x55);

        byte[] datagram = V2Codec.encode(new V2Frame.KeyReply(NONCE, 1, IDENTITY_KEY, wrappedTo4096BitKey, LIMITS, SIGNATURE));

        assertThat(datagram.length).isLessThan(1200);
    }

    @Test
    void keyReplySignedPartIsTheEncodingWithoutTheSignatureField() {
        byte[] full = V2Codec.encode(KEY_REPLY);

        assertThat(V2Codec.signedPart(KEY_REPLY)).isEqualTo(Arrays.copyOf(full, full.length - 2 - SIGNATURE.length));
    }

    @Test
    void dataRoundTripsWithHighSequenceAndPhase() throws Exception {
        byte[] ciphertext = filled(40, 0x99);
        V2Frame.Data frame = new V2Frame.Data(-2L, 0xFE, 0x7FFF_FFFF_0000_0001L, ciphertext);

        V2Frame.Data decoded = (V2Frame.Data) V2Codec.decode(V2Codec.encode(frame));

        assertThat(decoded.sessionId()).isEqualTo(-2L);
        assertThat(decoded.keyPhase()).isEqualTo(0xFE);
        assertThat(decoded.sequence()).isEqualTo(0x7FFF_FFFF_0000_0001L);
        assertThat(decoded.ciphertext()).isEqualTo(ciphertext);
    }

    @Test
    void dataHeaderIsTheExact20BytePrefixOfAnEncodedDataFrame() {
        byte[] ciphertext = filled(16, 0xAB);
        byte[] datagram = V2Codec.encode(new V2Frame.Data(0x1122334455667788L, 3, 9, ciphertext));

        byte[] header = V2Codec.dataHeader(0x1122334455667788L, 3, 9);

        assertThat(header).hasSize(20);
        assertThat(header).isEqualTo(Arrays.copyOf(datagram, 20));
        assertThat(HexFormat.of().formatHex(header)).isEqualTo("ff0205" + "1122334455667788" + "03" + "0000000000000009");
    }

    // ---- negotiation ----------------------------------------------------------------------------

    @Test
    void classicDatagramsAreNeverTakenForV2() {
        assertThat(V2Codec.isV2("SYN".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(V2Codec.isV2("ACK".getBytes(StandardCharsets.US_ASCII))).isFalse();
        byte[] allBytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            allBytes[i] = (byte) i;
        }
        assertThat(V2Codec.isV2(Base64.getEncoder().encode(allBytes))).isFalse();
        assertThat(V2Codec.isV2("LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0=".getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    @Test
    void noUtf8TextIsTakenForV2() {
        // 0xFF is not a valid byte anywhere in UTF-8, so no text (a username, a guest's first line) starts with it.
        StringBuilder everyFirstCodePoint = new StringBuilder();
        for (int cp = 0; cp <= 0x10FFFF; cp += 0x101) {
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                everyFirstCodePoint.appendCodePoint(cp);
            }
        }
        String text = everyFirstCodePoint.toString();
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
            byte[] utf8 = (text.substring(i, text.offsetByCodePoints(i, 1)) + "\u0002xyz").getBytes(StandardCharsets.UTF_8);
            assertThat(V2Codec.isV2(utf8)).as("text starting U+%04X", text.codePointAt(i)).isFalse();
        }
        assertThat(V2Codec.isV2("ÿ\u0002x".getBytes(StandardCharsets.UTF_8))).isFalse(); // U+00FF is C3 BF
    }

    @Test
    void datagramsStartingFF02AreV2() {
        assertThat(V2Codec.isV2(new byte[] {(byte) 0xFF, 0x02, 0x01})).isTrue();
        assertThat(V2Codec.isV2(new byte[] {(byte) 0xFF, 0x02, 0x7E, 0x00})).isTrue();
        assertThat(V2Codec.isV2(new byte[] {(byte) 0xFF, 0x03, 0x01})).isFalse();
    }

    // ---- strict rejection -----------------------------------------------------------------------

    @Test
    void truncatedFramesOfEveryTypeAreMalformed() {
        byte[][] frames = {
            V2Codec.encode(new V2Frame.Hello(NONCE)),
            V2Codec.encode(new V2Frame.Retry(NONCE, COOKIE)),
            V2Codec.encode(KEY_OFFER),
            V2Codec.encode(KEY_REPLY),
            V2Codec.encode(new V2Frame.Data(1, 0, 0, filled(16, 1))),
        };
        for (byte[] frame : frames) {
            for (int length : new int[] {3, 4, 20, 35, frame.length - 1}) {
                if (length < frame.length) {
                    assertRejected(Arrays.copyOf(frame, length), DropReason.MALFORMED_FRAME);
                }
            }
        }
    }

    @Test
    void aDataFrameShorterThanHeaderPlusTagIsMalformed() {
        assertRejected(V2Codec.encode(new V2Frame.Data(1, 0, 0, filled(15, 1))), DropReason.MALFORMED_FRAME);
    }

    @Test
    void unknownFrameTypeIsMalformed() {
        byte[] datagram = V2Codec.encode(new V2Frame.Retry(NONCE, COOKIE));
        datagram[2] = 0x06;
        assertRejected(datagram, DropReason.MALFORMED_FRAME);
        datagram[2] = 0x00;
        assertRejected(datagram, DropReason.MALFORMED_FRAME);
    }

    @Test
    void nonzeroPaddingIsMalformed() {
        byte[] hello = V2Codec.encode(new V2Frame.Hello(NONCE));
        hello[1199] = 1;
        assertRejected(hello, DropReason.MALFORMED_FRAME);

        byte[] offer = V2Codec.encode(KEY_OFFER);
        offer[1000] = 1;
        assertRejected(offer, DropReason.MALFORMED_FRAME);
    }

    @Test
    void trailingBytesAfterAnUnpaddedFrameAreMalformed() {
        byte[] retry = V2Codec.encode(new V2Frame.Retry(NONCE, COOKIE));
        assertRejected(Arrays.copyOf(retry, retry.length + 1), DropReason.MALFORMED_FRAME);

        byte[] reply = V2Codec.encode(KEY_REPLY);
        assertRejected(Arrays.copyOf(reply, reply.length + 1), DropReason.MALFORMED_FRAME);
    }

    @Test
    void aLongerThanPaddedHelloIsOversize() {
        assertRejected(Arrays.copyOf(V2Codec.encode(new V2Frame.Hello(NONCE)), 1201), DropReason.OVERSIZE);
        assertRejected(new byte[4096], DropReason.OVERSIZE);
    }

    @Test
    void keyLengthOverItsBoundIsMalformed() {
        byte[] offer = V2Codec.encode(KEY_OFFER);
        ByteBuffer.wrap(offer).putShort(3 + 16 + 32, (short) 601); // the key is at most 600 bytes
        assertRejected(offer, DropReason.MALFORMED_FRAME);

        byte[] reply = V2Codec.encode(KEY_REPLY);
        ByteBuffer.wrap(reply).putShort(3 + 32 + 8, (short) 0xFFFF);
        assertRejected(reply, DropReason.MALFORMED_FRAME);
    }

    @Test
    void nameLengthOverItsBoundIsMalformed() {
        byte[] offer = V2Codec.encode(new V2Frame.KeyOffer(COOKIE, NONCE, CLIENT_KEY, "bob"));
        offer[3 + 16 + 32 + 2 + CLIENT_KEY.length] = (byte) 129;
        Arrays.fill(offer, 3 + 16 + 32 + 2 + CLIENT_KEY.length + 1, 3 + 16 + 32 + 2 + CLIENT_KEY.length + 130, (byte) 'a');

        assertRejected(offer, DropReason.MALFORMED_FRAME);
    }

    @Test
    void aNameThatIsNotUtf8IsMalformed() {
        byte[] offer = V2Codec.encode(new V2Frame.KeyOffer(COOKIE, NONCE, CLIENT_KEY, "bob"));
        offer[3 + 16 + 32 + 2 + CLIENT_KEY.length + 1] = (byte) 0xC3; // a lead byte followed by 'o': invalid

        assertRejected(offer, DropReason.MALFORMED_FRAME);
    }

    @Test
    void aDatagramWithoutTheV2MagicIsMalformed() {
        assertRejected("SYN".getBytes(StandardCharsets.US_ASCII), DropReason.MALFORMED_FRAME);
        assertRejected(new byte[] {(byte) 0xFF, 0x02}, DropReason.MALFORMED_FRAME);
    }

    @Test
    void encodingRefusesWrongFixedLengthsAndOverlongNames() {
        assertThatThrownBy(() -> V2Codec.encode(new V2Frame.Hello(new byte[31]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> V2Codec.encode(new V2Frame.Retry(NONCE, new byte[15]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> V2Codec.encode(new V2Frame.KeyOffer(COOKIE, NONCE, CLIENT_KEY, "x".repeat(129))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limitsThatDoNotFitTheirFieldsAreRefusedNotTruncated() {
        V2Frame.KeyReply tooFast = new V2Frame.KeyReply(filled(32, 0x77), 1L, IDENTITY_KEY, WRAPPED,
                new V2Frame.Limits(70_000, 20, 65_536, 180, 10), SIGNATURE);
        assertThatThrownBy(() -> V2Codec.encode(tooFast)).isInstanceOf(IllegalArgumentException.class);

        byte[] reply = V2Codec.encode(KEY_REPLY);
        // the signed part ends u32 max_message, u16 idle_timeout, u16 keepalive
        int maxMessageAt = V2Codec.signedPart(KEY_REPLY).length - 8;
        reply[maxMessageAt] = (byte) 0x80; // max_message with its top bit set: over 2^31
        assertRejected(reply, DropReason.MALFORMED_FRAME);
    }

    private static void assertRejected(byte[] datagram, DropReason reason) {
        assertThatThrownBy(() -> V2Codec.decode(datagram))
                .as("%d bytes starting %s", datagram.length, HexFormat.of().formatHex(Arrays.copyOf(datagram, Math.min(4, datagram.length))))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
