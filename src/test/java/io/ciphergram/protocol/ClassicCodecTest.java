package io.ciphergram.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.protocol.ClassicCodec.ClientExpects;

class ClassicCodecTest {

    private static RSAPublicKey clientKey;

    @BeforeAll
    static void key() {
        clientKey = (RSAPublicKey) RsaKeys.generate(new SecureRandom()).getPublic();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void controlDatagramsAreRecognisedInEveryState() throws Exception {
        for (ClientExpects state : ClientExpects.values()) {
            assertThat(ClassicCodec.decodeFromClient(ascii("SYN"), state)).isInstanceOf(ClassicFrame.Syn.class);
            assertThat(ClassicCodec.decodeFromClient(ascii("ACK"), state)).isInstanceOf(ClassicFrame.Ack.class);
        }
        assertThat(ClassicCodec.encode(new ClassicFrame.SynAck())).isEqualTo(ascii("SYN-ACK"));
    }

    @Test
    void publicKeyDatagramStartsAsTheSeedsDoAndDecodesInAnyState() throws Exception {
        byte[] datagram = ClassicCodec.encode(new ClassicFrame.PublicKeyOffer(clientKey));
        assertThat(new String(datagram, StandardCharsets.US_ASCII)).startsWith("LS0tLS1CRUdJTi").doesNotContain("\n");
        for (ClientExpects state : ClientExpects.values()) {
            ClassicFrame frame = ClassicCodec.decodeFromClient(datagram, state);
            assertThat(((ClassicFrame.PublicKeyOffer) frame).key()).isEqualTo(clientKey);
        }
    }

    @Test
    void base64IsReadLenientlyAboutWhitespace() throws Exception {
        String strict = new String(ClassicCodec.encode(new ClassicFrame.PublicKeyOffer(clientKey)), StandardCharsets.US_ASCII);
        String wrapped = strict.replaceAll("(.{76})", "$1\r\n") + "\n";
        assertThat(ClassicCodec.decodeFromClient(ascii(wrapped), ClientExpects.KEY))
                .isInstanceOf(ClassicFrame.PublicKeyOffer.class);
        ClassicFrame sealed = ClassicCodec.decodeFromClient(ascii(" AAECAwQF\nBgcICQoLDA0ODw== "), ClientExpects.MESSAGE);
        assertThat(((ClassicFrame.Sealed) sealed).ivAndCiphertext()).hasSize(16);
    }

    @Test
    void messagesAreEncodedStrictly() {
        byte[] datagram = ClassicCodec.encode(new ClassicFrame.Sealed(new byte[100]));
        assertThat(new String(datagram, StandardCharsets.US_ASCII))
                .isEqualTo(Base64.getEncoder().encodeToString(new byte[100])).endsWith("=").doesNotContain("\n");
    }

    @Test
    void opaqueDatagramsAreReadAsTheStateExpects() throws Exception {
        assertThat(ClassicCodec.decodeFromClient(ascii("alice\n"), ClientExpects.USERNAME))
                .isEqualTo(new ClassicFrame.Username("alice"));
        assertThat(ClassicCodec.decodeFromClient("zoë".getBytes(StandardCharsets.UTF_8), ClientExpects.USERNAME))
                .isEqualTo(new ClassicFrame.Username("zoë"));
        assertThat(ClassicCodec.decodeFromClient(ascii("AAAA"), ClientExpects.MESSAGE)).isInstanceOf(ClassicFrame.Sealed.class);
    }

    @Test
    void badInputIsRejectedWithItsReason() {
        assertReason(new byte[ClassicCodec.MAX_DATAGRAM + 1], ClientExpects.MESSAGE, DropReason.OVERSIZE);
        assertReason(ascii("not base64!"), ClientExpects.MESSAGE, DropReason.MALFORMED_BASE64);
        assertReason(ascii("   "), ClientExpects.MESSAGE, DropReason.MALFORMED_BASE64);
        assertReason(new byte[] {(byte) 0xC3, 0x28}, ClientExpects.USERNAME, DropReason.BAD_USERNAME);
        assertReason(ascii("hello"), ClientExpects.KEY, DropReason.OUT_OF_STATE);
        String notAKey = Base64.getEncoder().encodeToString(ascii("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
        assertReason(ascii(notAKey), ClientExpects.KEY, DropReason.BAD_PUBLIC_KEY);
        String truncatedB64 = "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K!";
        assertReason(ascii(truncatedB64), ClientExpects.KEY, DropReason.MALFORMED_BASE64);
    }

    @Test
    void aKeyOfTheWrongSizeIsRejected() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        byte[] datagram = Base64.getEncoder().encode(ascii(RsaKeys.toPem(g.generateKeyPair().getPublic())));
        assertReason(datagram, ClientExpects.KEY, DropReason.BAD_PUBLIC_KEY);
    }

    @Test
    void theLongestTextThatFitsIsExactlyWhatFourKilobytesOfBase64Hold() {
        assertThat(ClassicCodec.MAX_TEXT_BYTES).isEqualTo(3055);
        int fits = ClassicMessageCipher.sealedLength(ClassicCodec.MAX_TEXT_BYTES);
        assertThat(ClassicCodec.encode(new ClassicFrame.Sealed(new byte[fits]))).hasSizeLessThanOrEqualTo(4096);
        int over = ClassicMessageCipher.sealedLength(ClassicCodec.MAX_TEXT_BYTES + 1);
        assertThatThrownBy(() -> ClassicCodec.encode(new ClassicFrame.Sealed(new byte[over])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serverDatagramsDecodeForTheClient() throws Exception {
        assertThat(ClassicCodec.decodeFromServer(ascii("SYN-ACK"), ClassicCodec.ServerExpects.KEY_REPLY))
                .isInstanceOf(ClassicFrame.SynAck.class);
        ClassicFrame reply = ClassicCodec.decodeFromServer(
                ClassicCodec.encode(new ClassicFrame.KeyReply(new byte[256])), ClassicCodec.ServerExpects.KEY_REPLY);
        assertThat(((ClassicFrame.KeyReply) reply).encryptedKey()).hasSize(256);
    }

    private static void assertReason(byte[] datagram, ClientExpects state, DropReason reason) {
        assertThatThrownBy(() -> ClassicCodec.decodeFromClient(datagram, state))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
