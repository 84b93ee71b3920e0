package io.ciphergram.protocol.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.Hpke;
import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.crypto.PrekeyPair;
import io.ciphergram.crypto.SafetyNumber;
import io.ciphergram.crypto.ScriptedRandom;
import io.ciphergram.crypto.SignalVector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The {@code e2e-vectors} block of docs/PROTOCOL.md ("End-to-end messages") is what the Java code makes and
 * opens: RFC 9180 A.1.1, the parties' keys, prekey signatures and bundles, the identity proof, both
 * envelopes byte for byte (the page's node test checks the very same block), and the safety numbers.
 */
class E2eDocVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    static JsonObject vectors() throws Exception {
        String doc = Files.readString(Path.of("docs/PROTOCOL.md"));
        String open = "```json e2e-vectors\n";
        int start = doc.indexOf(open);
        assertThat(start).as("a ```json e2e-vectors block in docs/PROTOCOL.md").isNotNegative();
        int end = doc.indexOf("\n```", start + open.length());
        return new JsonObject(doc.substring(start + open.length(), end));
    }

    private static byte[] hex(JsonObject o, String key) {
        return HEX.parseHex(o.getString(key));
    }

    private record Party(String name, IdentityKeyPair identity, PrekeyPair prekey, JsonObject vector) {
    }

    private static List<Party> parties(JsonObject vectors) {
        JsonArray array = vectors.getJsonArray("e2e_parties");
        assertThat(array).hasSize(2);
        return array.stream().map(o -> (JsonObject) o).map(p -> {
            IdentityKeyPair identity = IdentityKeyPair.fromPrivateKeyBytes(hex(p, "identity_seed_hex"));
            JsonObject pre = p.getJsonObject("prekey");
            PrekeyPair prekey = PrekeyPair.restore(identity, pre.getInteger("id"), pre.getLong("created_ms"), hex(pre, "private_key_hex"));
            return new Party(p.getString("name"), identity, prekey, p);
        }).toList();
    }

    private static Party party(List<Party> parties, String name) {
        return parties.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void rfc9180AppendixA11() throws Exception {
        JsonObject rfc = vectors().getJsonObject("e2e_rfc9180_a11");
        HPKE hpke = new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
        AsymmetricCipherKeyPair recipient = hpke.deriveKeyPair(hex(rfc, "ikm_r_hex"));
        assertThat(hpke.serializePublicKey(recipient.getPublic())).isEqualTo(hex(rfc, "pk_rm_hex"));
        assertThat(hpke.serializePublicKey(hpke.deriveKeyPair(hex(rfc, "ikm_e_hex")).getPublic())).isEqualTo(hex(rfc, "pk_em_hex"));

        PrekeyPair prekey = PrekeyPair.restore(IdentityKeyPair.fromPrivateKeyBytes(new byte[32]), 1, 0, hex(rfc, "sk_rm_hex"));
        Hpke.Sealed sealed = Hpke.seal(prekey.signedPrekey(), hex(rfc, "info_hex"), hex(rfc, "aad_hex"), hex(rfc, "pt_hex"),
                new ScriptedRandom(hex(rfc, "sk_em_hex")));
        assertThat(sealed.encapsulatedKey()).isEqualTo(hex(rfc, "pk_em_hex"));
        assertThat(sealed.ciphertext()).isEqualTo(hex(rfc, "ct_hex"));
        assertThat(Hpke.open(prekey, hex(rfc, "pk_em_hex"), hex(rfc, "info_hex"), hex(rfc, "aad_hex"), hex(rfc, "ct_hex")))
                .isEqualTo(hex(rfc, "pt_hex"));
    }

    @Test
    void partiesKeysPrekeysAndBundles() throws Exception {
        for (Party p : parties(vectors())) {
            JsonObject v = p.vector();
            IdentityPublicKey key = p.identity().publicKey();
            assertThat(HEX.formatHex(key.bytes())).isEqualTo(v.getString("identity_key_hex"));
            assertThat(key.fingerprint().toString()).isEqualTo(v.getString("fingerprint"));
            assertThat(HEX.formatHex(key.keyId())).isEqualTo(v.getString("key_id_hex"));
            JsonObject pre = v.getJsonObject("prekey");
            assertThat(HEX.formatHex(p.prekey().signedPrekey().publicKey())).isEqualTo(pre.getString("public_key_hex"));
            assertThat(HEX.formatHex(p.prekey().signedPrekey().signature())).isEqualTo(pre.getString("signature_hex"));
            KeyBundle bundle = new KeyBundle(key, p.prekey().signedPrekey());
            assertThat(HEX.formatHex(E2eCodec.encode(bundle))).isEqualTo(v.getString("key_bundle_hex"));
            KeyBundle decoded = E2eCodec.decodeKeyBundle(hex(v, "key_bundle_hex"));
            assertThat(decoded).isEqualTo(bundle);
            assertThat(decoded.isSigned()).isTrue();
        }
    }

    @Test
    void identityProof() throws Exception {
        JsonObject vectors = vectors();
        JsonObject proof = vectors.getJsonObject("e2e_identity_proof");
        IdentityKeyPair identity = party(parties(vectors), proof.getString("identity")).identity();
        byte[] cookie = hex(proof, "cookie_hex");
        byte[] nonce = hex(proof, "client_nonce_hex");
        byte[] key = hex(proof, "client_public_key_hex");
        String name = proof.getString("name");
        assertThat(HEX.formatHex(IdentityProof.hash(cookie, nonce, key, name, identity.publicKey()))).isEqualTo(proof.getString("hash_hex"));
        IdentityExtension extension = IdentityProof.sign(identity, cookie, nonce, key, name);
        assertThat(HEX.formatHex(extension.signature())).isEqualTo(proof.getString("signature_hex"));
        assertThat(HEX.formatHex(E2eCodec.encode(extension))).isEqualTo(proof.getString("extension_hex"));
        IdentityExtension decoded = E2eCodec.decodeIdentityExtension(hex(proof, "extension_hex"), 0);
        assertThat(IdentityProof.verify(decoded, cookie, nonce, key, name)).isTrue();
    }

    @Test
    void bothEnvelopesAreMadeByteForByteAndOpen() throws Exception {
        JsonObject vectors = vectors();
        List<Party> parties = parties(vectors);
        JsonArray envelopes = vectors.getJsonArray("e2e_envelopes");
        assertThat(envelopes).hasSize(2);
        for (Object o : envelopes) {
            JsonObject v = (JsonObject) o;
            Party sender = party(parties, v.getString("sender"));
            Party recipient = party(parties, v.getString("recipient"));
            assertThat(v.getInteger("recipient_prekey_id")).isEqualTo(recipient.prekey().id());
            byte[] plaintext = v.getString("plaintext").getBytes(StandardCharsets.UTF_8);
            ScriptedRandom random = new ScriptedRandom(hex(v, "message_id_hex"), hex(v, "ephemeral_private_key_hex"));

            Envelope sealed = EndToEnd.seal(sender.identity(), sender.name(), recipient.name(),
                    new KeyBundle(recipient.identity().publicKey(), recipient.prekey().signedPrekey()), plaintext, v.getLong("time_ms"), random);

            assertThat(random.exhausted()).isTrue();
            byte[] info = EndToEnd.info(sender.name(), recipient.name(), sender.identity().publicKey(), recipient.prekey().id());
            byte[] aad = EndToEnd.associatedData(sealed.messageId(), sealed.timeMillis());
            assertThat(HEX.formatHex(info)).isEqualTo(v.getString("info_hex"));
            assertThat(HEX.formatHex(aad)).isEqualTo(v.getString("aad_hex"));
            assertThat(HEX.formatHex(sealed.encapsulatedKey())).isEqualTo(v.getString("encapsulated_key_hex"));
            assertThat(HEX.formatHex(sealed.ciphertext())).isEqualTo(v.getString("ciphertext_hex"));
            assertThat(HEX.formatHex(EndToEnd.signedMessage(sealed.encapsulatedKey(), sealed.ciphertext(), aad, info)))
                    .isEqualTo(v.getString("signed_message_hex"));
            assertThat(HEX.formatHex(sealed.signature())).isEqualTo(v.getString("signature_hex"));
            assertThat(HEX.formatHex(E2eCodec.encode(sealed))).isEqualTo(v.getString("envelope_hex"));

            EndToEnd.Opened opened = EndToEnd.open(E2eCodec.decodeEnvelope(hex(v, "envelope_hex")), recipient.name(),
                    sender.identity().publicKey(), List.of(recipient.prekey()), ReplayCache.withDefaults(), v.getLong("time_ms"));
            assertThat(opened.text()).isEqualTo(v.getString("plaintext"));
            assertThat(opened.sender()).isEqualTo(sender.name());
        }
    }

    @Test
    void safetyNumbers() throws Exception {
        JsonObject vectors = vectors();
        List<Party> parties = parties(vectors);
        JsonObject ours = vectors.getJsonObject("e2e_safety_number");
        Party a = party(parties, ours.getJsonArray("names").getString(0));
        Party b = party(parties, ours.getJsonArray("names").getString(1));
        SafetyNumber atA = SafetyNumber.of(a.name(), a.identity().publicKey(), b.name(), b.identity().publicKey());
        SafetyNumber atB = SafetyNumber.of(b.name(), b.identity().publicKey(), a.name(), a.identity().publicKey());
        assertThat(atA.digits()).isEqualTo(ours.getString("digits"));
        assertThat(atB.grouped()).isEqualTo(ours.getString("grouped"));

        JsonObject signal = vectors.getJsonObject("e2e_signal_safety_number");
        assertThat(signal.getInteger("iterations")).isEqualTo(SafetyNumber.ITERATIONS);
        assertThat(SignalVector.digits(hex(signal, "alice_key_hex"), signal.getString("alice_id"), hex(signal, "bob_key_hex"),
                signal.getString("bob_id"))).isEqualTo(signal.getString("digits"));
    }
}
