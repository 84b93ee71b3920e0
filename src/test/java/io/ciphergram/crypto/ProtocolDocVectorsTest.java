package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.vertx.core.json.JsonObject;

/** The test vectors printed in docs/PROTOCOL.md are what the code produces. */
class ProtocolDocVectorsTest {

    static JsonObject docVectors() throws IOException {
        String doc = Files.readString(Path.of("docs/PROTOCOL.md"));
        String open = "```json test-vectors\n";
        int start = doc.indexOf(open);
        assertThat(start).as("a ```json test-vectors block in docs/PROTOCOL.md").isNotNegative();
        int end = doc.indexOf("\n```", start + open.length());
        return new JsonObject(doc.substring(start + open.length(), end));
    }

    @Test
    void classicMessageVectorsSealAndOpenExactly() throws Exception {
        var messages = docVectors().getJsonArray("classic_messages");
        assertThat(messages).hasSizeGreaterThanOrEqualTo(9);
        ClassicMessageCipher cipher = new ClassicMessageCipher(new SecureRandom());
        for (Object o : messages) {
            JsonObject v = (JsonObject) o;
            SessionKey key = SessionKey.of(HexFormat.of().parseHex(v.getString("key_hex")));
            byte[] sealed = ClassicMessageCipher.seal(key, v.getString("plaintext").getBytes(StandardCharsets.UTF_8),
                    HexFormat.of().parseHex(v.getString("iv_hex")));
            byte[] datagram = ClassicCodec.encode(new ClassicFrame.Sealed(sealed));
            assertThat(new String(datagram, StandardCharsets.US_ASCII)).isEqualTo(v.getString("datagram"));
            ClassicFrame decoded = ClassicCodec.decodeFromClient(datagram, ClassicCodec.ClientExpects.MESSAGE);
            assertThat(new String(cipher.open(key, ((ClassicFrame.Sealed) decoded).ivAndCiphertext()), StandardCharsets.UTF_8)).isEqualTo(v.getString("plaintext"));
        }
    }

    @Test
    void classicControlFramesAndLimitsAreAsDocumented() throws Exception {
        JsonObject doc = docVectors();
        JsonObject control = doc.getJsonObject("classic_control");
        assertThat(ClassicCodec.encode(new ClassicFrame.Syn())).isEqualTo(HexFormat.of().parseHex(control.getString("SYN")));
        assertThat(ClassicCodec.encode(new ClassicFrame.SynAck())).isEqualTo(HexFormat.of().parseHex(control.getString("SYN-ACK")));
        assertThat(ClassicCodec.encode(new ClassicFrame.Ack())).isEqualTo(HexFormat.of().parseHex(control.getString("ACK")));
        JsonObject limits = doc.getJsonObject("classic_limits");
        assertThat(ClassicCodec.MAX_DATAGRAM).isEqualTo(limits.getInteger("max_datagram"));
        assertThat(ClassicCodec.MAX_TEXT_BYTES).isEqualTo(limits.getInteger("max_text_bytes"));
        var publicKey = RsaKeys.generate(new SecureRandom()).getPublic();
        assertThat(new String(ClassicCodec.encode(new ClassicFrame.PublicKeyOffer((RSAPublicKey) publicKey)),
                StandardCharsets.US_ASCII)).startsWith(limits.getString("public_key_prefix"));
        assertThat(ClassicCodec.encode(new ClassicFrame.KeyReply(ClassicKeyTransport.wrap(publicKey, SessionKey.random(new SecureRandom())))))
                .hasSize(limits.getInteger("key_reply_chars"));
    }
}
