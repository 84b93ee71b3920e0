package io.ciphergram.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * HPKE (RFC 9180) in base mode with one suite, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM
 * (kem 0x0020, kdf 0x0001, aead 0x0001), single-shot: one message per encapsulation, so the AEAD nonce is
 * the key schedule's base nonce and nobody chooses one. Seal to a recipient's {@link SignedPrekey}, open
 * with the matching {@link PrekeyPair}; {@code info} and the associated data bind the context.
 *
 * <p>Bouncy Castle's {@code org.bouncycastle.crypto.hpke} does the work (the JDK has no HPKE before Java
 * 24); it reproduces RFC 9180 Appendix A.1.1 byte for byte (HpkeTest). The ephemeral key is drawn from the
 * caller's {@link SecureRandom}, so the RFC's fixed ephemeral key can be replayed in tests.
 */
public final class Hpke {

    /** Nenc of DHKEM(X25519, HKDF-SHA256): the ephemeral X25519 public key. */
    public static final int ENCAPSULATED_KEY_LENGTH = 32;
    /** Nt of AES-128-GCM. */
    public static final int TAG_LENGTH = 16;

    /** What a sealing produces: the encapsulated key and the AEAD ciphertext with its tag. */
    public record Sealed(byte[] encapsulatedKey, byte[] ciphertext) {
    }

    private Hpke() {
    }

    private static HPKE suite() {
        return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
    }

    /**
     * SealBase(pkR, info, aad, pt) of RFC 9180 section 6.1, to {@code recipient}'s X25519 key.
     *
     * @throws IllegalArgumentException if the recipient's key is not a usable X25519 key (its Diffie-Hellman
     *         output would be all zero)
     */
    public static Sealed seal(SignedPrekey recipient, byte[] info, byte[] associatedData, byte[] plaintext,
            SecureRandom random) {
        byte[] ephemeral = new byte[PrekeyPair.PRIVATE_KEY_LENGTH];
        random.nextBytes(ephemeral);
        X25519PrivateKeyParameters ephemeralPrivate = new X25519PrivateKeyParameters(ephemeral, 0);
        Arrays.fill(ephemeral, (byte) 0);
        AsymmetricCipherKeyPair ephemeralPair = new AsymmetricCipherKeyPair(ephemeralPrivate.generatePublicKey(), ephemeralPrivate);
        try {
            HPKEContextWithEncapsulation context = suite().setupBaseS(
                    new X25519PublicKeyParameters(recipient.publicKey(), 0), info, ephemeralPair);
            return new Sealed(context.getEncapsulation(), context.seal(associatedData, plaintext));
        } catch (InvalidCipherTextException | IllegalStateException e) {
            throw new IllegalArgumentException("the recipient's prekey is not a usable X25519 key");
        }
    }

    /**
     * OpenBase(enc, skR, info, aad, ct) of RFC 9180 section 6.1.
     *
     * @throws CryptoFailure whatever went wrong (a bad encapsulated key, another key, other info or
     *         associated data, tampering): one failure, without detail
     */
    public static byte[] open(PrekeyPair recipient, byte[] encapsulatedKey, byte[] info, byte[] associatedData,
            byte[] ciphertext) throws CryptoFailure {
        if (encapsulatedKey == null || encapsulatedKey.length != ENCAPSULATED_KEY_LENGTH || ciphertext == null
                || ciphertext.length < TAG_LENGTH) {
            throw new CryptoFailure();
        }
        try {
            AsymmetricCipherKeyPair pair = new AsymmetricCipherKeyPair(
                    new X25519PublicKeyParameters(recipient.signedPrekey().publicKey(), 0), recipient.privateParameters());
            HPKEContext context = suite().setupBaseR(encapsulatedKey, pair, info);
            return context.open(associatedData, ciphertext);
        } catch (InvalidCipherTextException | RuntimeException e) {
            throw new CryptoFailure();
        }
    }
}
