package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerIdentityTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] TRANSCRIPT = "client hello || server hello".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void createsTheKeyFileOwnerOnlyWithMissingParentDirectories() throws IOException {
        Path file = dir.resolve("etc/ciphergram/server.key");

        ServerIdentity.loadOrCreate(file);

        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void secondStartLoadsTheSameIdentity() throws IOException {
        Path file = dir.resolve("server.key");
        ServerIdentity first = ServerIdentity.loadOrCreate(file);
        byte[] stored = Files.readAllBytes(file);

        ServerIdentity second = ServerIdentity.loadOrCreate(file);

        assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
        assertThat(second.publicKeyEncoded()).isEqualTo(first.publicKeyEncoded());
        assertThat(Files.readAllBytes(file)).isEqualTo(stored);
    }

    @Test
    void storesAnRfc8410Pkcs8PemThatOtherToolsRead() throws IOException {
        Path file = dir.resolve("server.key");
        ServerIdentity.loadOrCreate(file);

        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file)))) {
            PrivateKeyInfo info = (PrivateKeyInfo) parser.readObject();
            assertThat(info.getPrivateKeyAlgorithm().getAlgorithm().getId()).isEqualTo("1.3.101.112"); // id-Ed25519
        }
    }

    @Test
    void reproducesRfc8032TestVector1FromAStoredKey() throws IOException {
        String seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
        byte[] pkcs8 = HEX.parseHex("302e020100300506032b657004220420" + seed);
        Path file = dir.resolve("rfc8032.key");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n");

        ServerIdentity identity = ServerIdentity.loadOrCreate(file);

        assertThat(HEX.formatHex(identity.publicKeyEncoded())).isEqualTo("302a300506032b6570032100"
                + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assertThat(HEX.formatHex(identity.sign(new byte[0]))).isEqualTo(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25b"
                        + "f5f0595bbe24655141438e7a100b");
    }

    @Test
    void fingerprintIsSha256OfTheSubjectPublicKeyInfoInSshStyle() throws Exception {
        ServerIdentity identity = ServerIdentity.loadOrCreate(dir.resolve("server.key"));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.publicKeyEncoded());

        assertThat(identity.fingerprint().bytes()).isEqualTo(digest);
        assertThat(identity.fingerprint().toString())
                .isEqualTo("SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest))
                .hasSize(7 + 43)
                .doesNotEndWith("=");
        assertThat(Fingerprint.parse(identity.fingerprint().toString())).isEqualTo(identity.fingerprint());
    }

    @Test
    void signatureVerifiesAgainstThePublicKeyAndFailsOnAnyFlippedBit() throws IOException {
        ServerIdentity identity = ServerIdentity.loadOrCreate(dir.resolve("server.key"));
        byte[] publicKey = identity.publicKeyEncoded();
        byte[] signature = identity.sign(TRANSCRIPT);

        assertThat(signature).hasSize(ServerIdentity.SIGNATURE_LENGTH);
        assertThat(ServerIdentity.verify(publicKey, TRANSCRIPT, signature)).isTrue();

        byte[] badSignature = signature.clone();
        badSignature[10] ^= 0x04;
        byte[] badTranscript = TRANSCRIPT.clone();
        badTranscript[0] ^= 0x01;
        assertThat(ServerIdentity.verify(publicKey, TRANSCRIPT, badSignature)).isFalse();
        assertThat(ServerIdentity.verify(publicKey, badTranscript, signature)).isFalse();
    }

    @Test
    void anotherServersKeyDoesNotVerifyAndMalformedInputIsJustFalse() throws Exception {
        ServerIdentity identity = ServerIdentity.loadOrCreate(dir.resolve("a.key"));
        ServerIdentity impostor = ServerIdentity.loadOrCreate(dir.resolve("b.key"));
        byte[] signature = identity.sign(TRANSCRIPT);
        byte[] rsaKey = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded();

        assertThat(ServerIdentity.verify(impostor.publicKeyEncoded(), TRANSCRIPT, signature)).isFalse();
        assertThat(ServerIdentity.verify(new byte[44], TRANSCRIPT, signature)).isFalse();
        assertThat(ServerIdentity.verify(rsaKey, TRANSCRIPT, signature)).isFalse();
        assertThat(ServerIdentity.verify(identity.publicKeyEncoded(), TRANSCRIPT, new byte[63])).isFalse();
    }

    @Test
    void aCorruptKeyFileIsAClearErrorAndIsNotReplaced() throws IOException {
        Path file = dir.resolve("server.key");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> ServerIdentity.loadOrCreate(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("does not hold a PEM PKCS#8 Ed25519 private key");
        assertThat(Files.readString(file)).contains("not base64 at all!");
    }

    @Test
    void anEmptyFileOrAnRsaKeyIsAlsoAClearError() throws Exception {
        Path empty = dir.resolve("empty.key");
        Files.createFile(empty);
        Path rsa = dir.resolve("rsa.key");
        byte[] rsaPkcs8 = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate().getEncoded();
        Files.writeString(rsa, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsaPkcs8)
                + "\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> ServerIdentity.loadOrCreate(empty))
                .isInstanceOf(IOException.class).hasMessageContaining("Ed25519");
        assertThatThrownBy(() -> ServerIdentity.loadOrCreate(rsa))
                .isInstanceOf(IOException.class).hasMessageContaining("Ed25519");
    }

    @Test
    void toStringShowsTheFingerprintButNoKey() throws IOException {
        ServerIdentity identity = ServerIdentity.loadOrCreate(dir.resolve("server.key"));

        assertThat(identity.toString()).contains(identity.fingerprint().toString())
                .doesNotContain("PRIVATE");
    }
}
