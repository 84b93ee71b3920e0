package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The classic codec must reproduce, byte for byte, the vectors pycryptodome made of the seed's format
 * (src/test/resources/compat/seed-vectors.json, a copy of ../shared/compat/seed-vectors.json).
 */
class SeedVectorsTest {

    static JsonObject vectors() throws IOException {
        try (InputStream in = SeedVectorsTest.class.getResourceAsStream("/compat/seed-vectors.json")) {
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static PrivateKey privateKey(JsonObject v) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(v.getString("rsa_private_key_pem")))) {
            return new JcaPEMKeyConverter().getKeyPair((PEMKeyPair) parser.readObject()).getPrivate();
        }
    }

    @Test
    void bundledCopyMatchesTheSharedVectors() throws IOException {
        Path shared = Path.of(System.getProperty("ciphergram.seed-vectors", "../shared/compat/seed-vectors.json"));
        if ("true".equals(System.getenv("CI"))) {
            // In CI the vectors must be there: a missing file is a failure, never a silent skip.
            assertThat(shared).as("the seed's vectors beside the checkout").exists();
        }
        assumeTrue(Files.exists(shared), "no shared/ checkout beside this one");
        assertThat(new JsonObject(Files.readString(shared))).isEqualTo(vectors());
    }

    @Test
    void publicKeyDatagramIsByteForByteWhatPycryptodomeSends() throws IOException {
        JsonObject v = vectors();
        var key = RsaKeys.fromPem(v.getString("public_key_pem"));
        byte[] datagram = ClassicCodec.encode(new ClassicFrame.PublicKeyOffer(key));
        assertThat(new String(datagram, StandardCharsets.US_ASCII)).isEqualTo(v.getString("public_key_datagram"));
        assertThat(RsaKeys.toPem(key)).isEqualTo(v.getString("public_key_pem"));
    }

    @Test
    void encryptedKeyDatagramUnwrapsToTheVectorKey() throws Exception {
        JsonObject v = vectors();
        String datagram = v.getString("encrypted_key_datagram");
        assertThat(datagram).hasSize(344);
        SessionKey key = ClassicKeyTransport.unwrap(privateKey(v), Base64.getDecoder().decode(datagram));
        assertThat(key.encoded()).isEqualTo(HexFormat.of().parseHex(v.getString("aes_key_hex")));
    }

    @Test
    void wrappedKeyRoundTripsThroughThePycryptodomeKeyPair() throws Exception {
        JsonObject v = vectors();
        SessionKey key = SessionKey.of(HexFormat.of().parseHex(v.getString("aes_key_hex")));
        byte[] wrapped = ClassicKeyTransport.wrap(RsaKeys.fromPem(v.getString("public_key_pem")), key);
        assertThat(Base64.getEncoder().encodeToString(wrapped)).hasSize(344);
        assertThat(ClassicKeyTransport.unwrap(privateKey(v), wrapped).encoded()).isEqualTo(key.encoded());
    }

    @Test
    void everyMessageVectorSealsAndOpensExactly() throws Exception {
        JsonObject v = vectors();
        SessionKey key = SessionKey.of(HexFormat.of().parseHex(v.getString("aes_key_hex")));
        JsonArray messages = v.getJsonArray("messages");
        assertThat(messages).hasSizeGreaterThanOrEqualTo(8);
        ClassicMessageCipher cipher = new ClassicMessageCipher(new SecureRandom());
        for (JsonObject m : messages.stream().map(JsonObject.class::cast).toList()) {
            byte[] iv = HexFormat.of().parseHex(m.getString("iv_hex"));
            byte[] plaintext = m.getString("plaintext").getBytes(StandardCharsets.UTF_8);
            byte[] sealed = ClassicMessageCipher.seal(key, plaintext, iv);
            String datagram = new String(ClassicCodec.encode(new ClassicFrame.Sealed(sealed)), StandardCharsets.US_ASCII);
            assertThat(datagram).as("datagram for %s", m.getString("plaintext")).isEqualTo(m.getString("datagram"));
            assertThat(new String(cipher.open(key, Base64.getDecoder().decode(m.getString("datagram"))), StandardCharsets.UTF_8))
                    .isEqualTo(m.getString("plaintext"));
        }
    }
}
