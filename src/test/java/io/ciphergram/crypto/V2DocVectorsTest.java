package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The v2 test vectors printed in docs/PROTOCOL.md (computed there by docs/v2_vectors.py with pycryptodome
 * and pyca/cryptography, not by this code) are what the Java code produces, from the frame codec through
 * the key schedule to whole records made by {@link SecureChannel}.
 */
class V2DocVectorsTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final long T0 = 1_000_000_000_000L;
    private static final long KEEPALIVE = 10_000_000_000L;
    /** PKCS#8 (RFC 8410 section 7) of an Ed25519 key: this prefix, then the 32-byte seed. */
    private static final String ED25519_PKCS8_PREFIX = "302e020100300506032b657004220420";

    @TempDir
    Path dir;

    private static JsonObject v2(String key) throws Exception {
        JsonObject value = ProtocolDocVectorsTest.docVectors().getJsonObject(key);
        assertThat(value).as("%s in the test-vectors block", key).isNotNull();
        return value;
    }

    private static byte[] hex(JsonObject o, String key) {
        return HEX.parseHex(o.getString(key));
    }

    @Test
    void helloAndRetryEncodeAsDocumented() throws Exception {
        JsonObject frames = v2("v2_frames");
        byte[] nonce = hex(frames, "client_nonce_hex");
        byte[] cookie = hex(frames, "cookie_hex");

        byte[] hello = V2Codec.encode(new V2Frame.Hello(nonce));
        byte[] retry = V2Codec.encode(new V2Frame.Retry(nonce, cookie));

        byte[] helloPrefix = hex(frames, "hello_hex");
        assertThat(hello).hasSize(frames.getInteger("hello_length"));
        assertThat(Arrays.copyOf(hello, helloPrefix.length)).isEqualTo(helloPrefix);
        assertThat(Arrays.copyOfRange(hello, helloPrefix.length, hello.length)).containsOnly(0);
        assertThat(retry).isEqualTo(hex(frames, "retry_hex"));
    }

    @Test
    void keyOfferAndSignedKeyReplyEncodeAsDocumented() throws Exception {
        JsonObject frames = v2("v2_frames");
        JsonObject offerVector = frames.getJsonObject("key_offer");
        JsonObject replyVector = frames.getJsonObject("key_reply");
        byte[] keyOffer = V2Codec.encode(new V2Frame.KeyOffer(hex(frames, "cookie_hex"), hex(frames, "client_nonce_hex"),
                hex(offerVector, "client_public_key_hex"), offerVector.getString("name")));
        byte[] offerPrefix = hex(offerVector, "hex");
        assertThat(keyOffer).hasSize(offerVector.getInteger("length"));
        assertThat(Arrays.copyOf(keyOffer, offerPrefix.length)).isEqualTo(offerPrefix);
        assertThat(Arrays.copyOfRange(keyOffer, offerPrefix.length, keyOffer.length)).containsOnly(0);

        ServerIdentity identity = identityFromSeed(hex(replyVector, "identity_seed_hex"));
        assertThat(identity.publicKeyEncoded()).isEqualTo(hex(replyVector, "identity_key_hex"));
        JsonObject l = replyVector.getJsonObject("limits");
        V2Frame.Limits limits = new V2Frame.Limits(l.getInteger("messages_per_second"), l.getInteger("burst"),
                l.getInteger("max_message_bytes"), l.getInteger("idle_timeout_seconds"), l.getInteger("keepalive_seconds"));
        V2Frame.KeyReply unsigned = new V2Frame.KeyReply(hex(replyVector, "server_nonce_hex"),
                Long.parseUnsignedLong(replyVector.getString("session_id_hex"), 16),
                identity.publicKeyEncoded(), hex(replyVector, "wrapped_secret_hex"), limits, new byte[0]);

        byte[] transcriptHash = V2Codec.transcriptHash(keyOffer, unsigned);
        assertThat(HEX.formatHex(transcriptHash)).isEqualTo(replyVector.getString("transcript_hash_hex"));
        byte[] signature = identity.sign(transcriptHash);
        assertThat(HEX.formatHex(signature)).isEqualTo(replyVector.getString("signature_hex"));
        V2Frame.KeyReply signed = new V2Frame.KeyReply(unsigned.serverNonce(), unsigned.sessionId(),
                unsigned.serverIdentityKey(), unsigned.wrappedSecret(), limits, signature);
        assertThat(HEX.formatHex(V2Codec.encode(signed))).isEqualTo(replyVector.getString("hex"));
        assertThat(ServerIdentity.verify(hex(replyVector, "identity_key_hex"), transcriptHash, signature)).isTrue();
    }

    @Test
    void keyScheduleDerivesTheDocumentedKeysForBothGenerations() throws Exception {
        JsonObject schedule = v2("v2_key_schedule");
        SessionSecret secret = SessionSecret.of(hex(schedule, "secret_hex"));
        byte[] transcriptHash = hex(schedule, "transcript_hash_hex");
        assertThat(HEX.formatHex(transcriptHash))
                .as("the key schedule starts from the transcript of the documented handshake")
                .isEqualTo(v2("v2_frames").getJsonObject("key_reply").getString("transcript_hash_hex"));

        assertKeys(DirectionKeys.derive(secret, transcriptHash), schedule.getJsonObject("generation_0"));

        JsonObject generation1 = schedule.getJsonObject("generation_1");
        byte[] salt1 = MessageDigest.getInstance("SHA-256").digest(concat(
                "ciphergram v2 key update".getBytes(StandardCharsets.US_ASCII), transcriptHash, new byte[] {0, 0, 0, 1}));
        assertThat(HEX.formatHex(salt1)).isEqualTo(generation1.getString("salt_hex"));
        assertKeys(DirectionKeys.derive(secret, salt1), generation1);
    }

    @Test
    void recordsSealAsDocumentedUnderTheDocumentedKeys() throws Exception {
        JsonObject schedule = v2("v2_key_schedule");
        JsonObject recordsVector = v2("v2_records");
        long sessionId = Long.parseUnsignedLong(recordsVector.getString("session_id_hex"), 16);
        JsonArray records = recordsVector.getJsonArray("records");
        assertThat(records).hasSizeGreaterThanOrEqualTo(4);
        for (Object o : records) {
            JsonObject r = (JsonObject) o;
            JsonObject generation = schedule.getJsonObject("generation_" + r.getInteger("key_phase"));
            String direction = r.getString("direction");
            SequencedAead aead = new SequencedAead(new TrafficKey(direction, hex(generation, direction + "_key_hex"),
                    hex(generation, direction + "_iv_hex")));
            long sequence = r.getLong("sequence");
            byte[] header = V2Codec.dataHeader(sessionId, r.getInteger("key_phase"), sequence);

            assertThat(HEX.formatHex(aead.nonce(sequence).getIV())).isEqualTo(r.getString("nonce_hex"));
            byte[] datagram = concat(header, aead.seal(sequence, header, hex(r, "inner_hex")));
            assertThat(HEX.formatHex(datagram)).as("record %s", r).isEqualTo(r.getString("datagram_hex"));
        }
    }

    @Test
    void secureChannelsProduceAndOpenTheDocumentedRecords() throws Exception {
        JsonObject schedule = v2("v2_key_schedule");
        long sessionId = Long.parseUnsignedLong(v2("v2_records").getString("session_id_hex"), 16);
        List<String> expected = v2("v2_records").getJsonArray("records").stream()
                .map(o -> ((JsonObject) o).getString("datagram_hex")).toList();
        SessionSecret secret = SessionSecret.of(hex(schedule, "secret_hex"));
        byte[] transcriptHash = hex(schedule, "transcript_hash_hex");
        // The client rekeys after every record so that its second record is generation 1's first.
        SecureChannel client = new SecureChannel(SecureChannel.Role.CLIENT, sessionId, secret, transcriptHash,
                new TokenBucket(0, 0, T0), KEEPALIVE, 1, V2Constants.REKEY_AFTER_NANOS, T0);
        SecureChannel server = new SecureChannel(SecureChannel.Role.SERVER, sessionId, secret, transcriptHash,
                new TokenBucket(0, 0, T0), KEEPALIVE, V2Constants.REKEY_AFTER_MESSAGES, V2Constants.REKEY_AFTER_NANOS, T0);

        client.offer("hello".getBytes(StandardCharsets.UTF_8));
        List<byte[]> first = client.poll(T0);
        assertThat(first).hasSize(1);
        assertThat(HEX.formatHex(first.get(0))).isEqualTo(expected.get(0));
        SecureChannel.Inbound atServer = server.open((V2Frame.Data) V2Codec.decode(first.get(0)), T0);
        assertThat(atServer.messages()).singleElement()
                .satisfies(m -> assertThat(new String(m, StandardCharsets.UTF_8)).isEqualTo("hello"));

        List<byte[]> ack = server.poll(T0 + V2Constants.DELAYED_ACK_NANOS);
        assertThat(ack).hasSize(1);
        assertThat(HEX.formatHex(ack.get(0))).isEqualTo(expected.get(1));
        client.open((V2Frame.Data) V2Codec.decode(ack.get(0)), T0 + V2Constants.DELAYED_ACK_NANOS);
        assertThat(client.allAcknowledged()).isTrue();

        assertThat(HEX.formatHex(server.close(T0 + 1))).isEqualTo(expected.get(2));

        List<byte[]> ping = client.poll(T0 + KEEPALIVE);
        assertThat(ping).hasSize(1);
        assertThat(HEX.formatHex(ping.get(0))).isEqualTo(expected.get(3));
        server.open((V2Frame.Data) V2Codec.decode(ping.get(0)), T0 + KEEPALIVE);
        assertThat(server.receiveGeneration()).isEqualTo(1);
    }

    private ServerIdentity identityFromSeed(byte[] seed) throws Exception {
        byte[] pkcs8 = concat(HEX.parseHex(ED25519_PKCS8_PREFIX), seed);
        Path file = dir.resolve("rfc8032-test1.pem");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        return ServerIdentity.loadOrCreate(file);
    }

    private static void assertKeys(DirectionKeys keys, JsonObject expected) {
        assertThat(HEX.formatHex(keys.clientToServer().secretKey().getEncoded())).isEqualTo(expected.getString("c2s_key_hex"));
        assertThat(HEX.formatHex(keys.clientToServer().ivSalt())).isEqualTo(expected.getString("c2s_iv_hex"));
        assertThat(HEX.formatHex(keys.serverToClient().secretKey().getEncoded())).isEqualTo(expected.getString("s2c_key_hex"));
        assertThat(HEX.formatHex(keys.serverToClient().ivSalt())).isEqualTo(expected.getString("s2c_iv_hex"));
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
