package io.ciphergram.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * RFC 9180 Appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode): Bouncy
 * Castle reproduces it byte for byte, and so does {@link Hpke} given the RFC's ephemeral key; anything
 * changed on the way makes {@link Hpke#open} fail with the one {@link CryptoFailure}.
 */
class HpkeTest {

    private static final HexFormat HEX = HexFormat.of();
    // RFC 9180 A.1.1
    static final byte[] INFO = HEX.parseHex("4f6465206f6e2061204772656369616e2055726e");
    static final byte[] IKM_E = HEX.parseHex("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234");
    static final byte[] SK_EM = HEX.parseHex("52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736");
    static final byte[] PK_EM = HEX.parseHex("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
    static final byte[] IKM_R = HEX.parseHex("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037");
    static final byte[] SK_RM = HEX.parseHex("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8");
    static final byte[] PK_RM = HEX.parseHex("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d");
    static final byte[] PT = HEX.parseHex("4265617574792069732074727574682c20747275746820626561757479");
    static final byte[] AAD_0 = HEX.parseHex("436f756e742d30");
    static final byte[] CT_0 = HEX.parseHex(
            "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a");
    static final byte[] AAD_1 = HEX.parseHex("436f756e742d31");
    static final byte[] CT_1 = HEX.parseHex(
            "af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84");
    static final byte[] EXPORT_EMPTY = HEX.parseHex("3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee");
    static final byte[] EXPORT_TEST_CONTEXT = HEX.parseHex("e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931");

    private static HPKE suite() {
        return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
    }

    @Test
    void bouncyCastleReproducesAppendixA11() throws Exception {
        HPKE hpke = suite();
        AsymmetricCipherKeyPair ephemeral = hpke.deriveKeyPair(IKM_E);
        AsymmetricCipherKeyPair recipient = hpke.deriveKeyPair(IKM_R);
        // Bouncy Castle serializes X25519 private keys clamped (RFC 7748 section 5); the RFC prints them unclamped.
        assertThat(hpke.serializePrivateKey(ephemeral.getPrivate())).isEqualTo(clamped(SK_EM));
        assertThat(hpke.serializePublicKey(ephemeral.getPublic())).isEqualTo(PK_EM);
        assertThat(hpke.serializePrivateKey(recipient.getPrivate())).isEqualTo(clamped(SK_RM));
        assertThat(hpke.serializePublicKey(recipient.getPublic())).isEqualTo(PK_RM);

        HPKEContextWithEncapsulation sender = hpke.setupBaseS(recipient.getPublic(), INFO, ephemeral);
        assertThat(sender.getEncapsulation()).isEqualTo(PK_EM);
        assertThat(sender.seal(AAD_0, PT)).isEqualTo(CT_0);
        assertThat(sender.seal(AAD_1, PT)).as("sequence 1: the nonce advances").isEqualTo(CT_1);
        assertThat(sender.export(new byte[0], 32)).isEqualTo(EXPORT_EMPTY);
        assertThat(sender.export("TestContext".getBytes(), 32)).isEqualTo(EXPORT_TEST_CONTEXT);

        HPKEContext receiver = hpke.setupBaseR(PK_EM, recipient, INFO);
        assertThat(receiver.open(AAD_0, CT_0)).isEqualTo(PT);
        assertThat(receiver.open(AAD_1, CT_1)).isEqualTo(PT);
    }

    @Test
    void ourSealGivenTheRfcEphemeralKeyIsTheRfcCiphertextAndOurOpenReadsIt() throws Exception {
        PrekeyPair recipient = prekeyWithPrivateHalf(SK_RM);
        assertThat(recipient.signedPrekey().publicKey()).isEqualTo(PK_RM);
        ScriptedRandom random = new ScriptedRandom(SK_EM);

        Hpke.Sealed sealed = Hpke.seal(recipient.signedPrekey(), INFO, AAD_0, PT, random);

        assertThat(random.exhausted()).isTrue();
        assertThat(sealed.encapsulatedKey()).isEqualTo(PK_EM);
        assertThat(sealed.ciphertext()).isEqualTo(CT_0);
        assertThat(Hpke.open(recipient, PK_EM, INFO, AAD_0, CT_0)).isEqualTo(PT);
    }

    @Test
    void anythingChangedOnTheWayFailsAlike() {
        PrekeyPair recipient = prekeyWithPrivateHalf(SK_RM);
        PrekeyPair other = IdentityKeyPair.generate(new SecureRandom()).newPrekey(2, 0, new SecureRandom());
        byte[] tampered = CT_0.clone();
        tampered[3] ^= 1;
        byte[] otherEnc = PK_EM.clone();
        otherEnc[0] ^= 1;

        assertThatThrownBy(() -> Hpke.open(recipient, PK_EM, INFO, AAD_0, tampered)).isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> Hpke.open(recipient, PK_EM, INFO, AAD_1, CT_0)).isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> Hpke.open(recipient, PK_EM, "other info".getBytes(), AAD_0, CT_0)).isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> Hpke.open(recipient, otherEnc, INFO, AAD_0, CT_0)).isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> Hpke.open(other, PK_EM, INFO, AAD_0, CT_0)).isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> Hpke.open(recipient, new byte[31], INFO, AAD_0, CT_0)).isInstanceOf(CryptoFailure.class);
        assertThatThrownBy(() -> Hpke.open(recipient, PK_EM, INFO, AAD_0, new byte[15])).isInstanceOf(CryptoFailure.class);
        // An all-zero encapsulated key is a point of small order: the Diffie-Hellman output is zero (RFC 9180 section 7.1.4).
        assertThatThrownBy(() -> Hpke.open(recipient, new byte[32], INFO, AAD_0, CT_0)).isInstanceOf(CryptoFailure.class);
    }

    @Test
    void twoSealingsOfOneMessageShareNothing() throws Exception {
        PrekeyPair recipient = prekeyWithPrivateHalf(SK_RM);
        SecureRandom random = new SecureRandom();
        Hpke.Sealed first = Hpke.seal(recipient.signedPrekey(), INFO, AAD_0, PT, random);
        Hpke.Sealed second = Hpke.seal(recipient.signedPrekey(), INFO, AAD_0, PT, random);
        assertThat(first.encapsulatedKey()).isNotEqualTo(second.encapsulatedKey());
        assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
        assertThat(Hpke.open(recipient, second.encapsulatedKey(), INFO, AAD_0, second.ciphertext())).isEqualTo(PT);
    }

    @Test
    void sealingToAKeyOfSmallOrderIsRefused() {
        SignedPrekey zero = SignedPrekey.of(1, 0, new byte[32], new byte[64]);
        assertThatThrownBy(() -> Hpke.seal(zero, INFO, AAD_0, PT, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] clamped(byte[] scalar) {
        byte[] out = scalar.clone();
        out[0] &= (byte) 248;
        out[31] &= 127;
        out[31] |= 64;
        return out;
    }

    static PrekeyPair prekeyWithPrivateHalf(byte[] privateHalf) {
        assertThat(new X25519PrivateKeyParameters(privateHalf, 0).getEncoded()).isEqualTo(privateHalf);
        return PrekeyPair.restore(IdentityKeyPair.generate(new SecureRandom()), 1, 0, privateHalf);
    }
}
