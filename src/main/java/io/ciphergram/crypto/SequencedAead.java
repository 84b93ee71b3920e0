package io.ciphergram.crypto;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-128-GCM for one direction of a v2 session, with the nonce made from the record's sequence number as
 * in TLS 1.3 (RFC 8446 section 5.3): {@code nonce = ivSalt XOR (0x00000000 || seq as 64-bit big-endian)}.
 * Nonces are never random and, because {@link #seal} only accepts increasing sequence numbers, never
 * repeat under one key. The output is ciphertext || 16-byte tag; the sequence number itself travels in the
 * record header and should be part of the associated data.
 *
 * <p>The sender calls {@link #seal}; the receiver calls {@link #open} and then, only if it succeeds, marks the
 * sequence number in its replay window. Thread-safe; {@code Cipher} instances are reused per thread and key ({@link CipherCache}).
 */
public final class SequencedAead {

    /** AES-128, the key size the classic profile uses too. */
    public static final int KEY_LENGTH = 16;
    /** The 96-bit GCM nonce SP 800-38D recommends; built from the sequence number, never random. */
    public static final int NONCE_LENGTH = 12;
    /** The full 128-bit GCM tag: truncated tags weaken forgery bounds (SP 800-38D appendix C). */
    public static final int TAG_LENGTH = 16;
    /**
     * No record is sealed or opened at or past this sequence number: 2^24 + 2^22, below the 2^24.5
     * full-size records RFC 8446 section 5.5 allows per AES-GCM key, so a peer that never moves to the
     * next key cannot push one key past the confidentiality limit (wireguard-go's {@code RejectAfterMessages}).
     */
    public static final long REJECT_AFTER_MESSAGES = (1L << 24) + (1L << 22);

    private static final CipherCache GCM = new CipherCache("AES/GCM/NoPadding");

    private final TrafficKey key;

    public SequencedAead(TrafficKey key) {
        this.key = key;
    }

    /** The sealed size of {@code plaintextBytes}: the plaintext plus the tag. */
    public static int sealedLength(int plaintextBytes) {
        return plaintextBytes + TAG_LENGTH;
    }

    /**
     * Encrypts and authenticates a record.
     *
     * @throws IllegalArgumentException if {@code seq} is not greater than every sequence number sealed
     *         before under this {@link TrafficKey} (by any {@code SequencedAead}), or is negative or at or
     *         after {@link #REJECT_AFTER_MESSAGES}: a repeated nonce would reveal the XOR of two
     *         plaintexts and GCM's authentication key
     */
    public byte[] seal(long seq, byte[] associatedData, byte[] plaintext) {
        if (seq < 0 || seq >= REJECT_AFTER_MESSAGES) {
            throw new IllegalArgumentException("sequence number outside 0.." + REJECT_AFTER_MESSAGES
                    + "; rekey before sending more");
        }
        key.claimForSealing(seq);
        try {
            Cipher cipher = GCM.forKey(key);
            cipher.init(Cipher.ENCRYPT_MODE, key.secretKey(), nonce(seq));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Authenticates and decrypts a record. Every failure (short input, a sequence number out of range, a
     * wrong key, tampered bytes, different associated data) is the same {@link CryptoFailure}.
     */
    public byte[] open(long seq, byte[] associatedData, byte[] sealed) throws CryptoFailure {
        if (seq < 0 || seq >= REJECT_AFTER_MESSAGES || sealed.length < TAG_LENGTH) {
            throw new CryptoFailure();
        }
        try {
            Cipher cipher = GCM.forKey(key);
            cipher.init(Cipher.DECRYPT_MODE, key.secretKey(), nonce(seq));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(sealed);
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new CryptoFailure();
        }
    }

    /** The highest sequence number sealed so far, -1 before the first. */
    public long lastSealed() {
        return key.lastSealed();
    }

    /** Package-private so tests can check the construction against RFC 8446 section 5.3. */
    GCMParameterSpec nonce(long seq) {
        byte[] salt = key.ivSalt();
        byte[] nonce = new byte[NONCE_LENGTH];
        for (int i = 0; i < NONCE_LENGTH; i++) {
            int shift = (NONCE_LENGTH - 1 - i) * 8;
            byte seqByte = shift < Long.SIZE ? (byte) (seq >>> shift) : 0;
            nonce[i] = (byte) (salt[i] ^ seqByte);
        }
        return new GCMParameterSpec(TAG_LENGTH * 8, nonce);
    }

    @Override
    public String toString() {
        return "SequencedAead[" + key.direction() + ", last sealed " + key.lastSealed() + "]";
    }
}
