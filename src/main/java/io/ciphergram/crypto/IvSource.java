package io.ciphergram.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Unpredictable CBC IVs, fast: AES in counter mode under a random key, the construction of NIST SP 800-90A's
 * CTR_DRBG without derivation function, generated {@value #BATCH_BLOCKS} blocks at a time. CBC needs IVs an
 * attacker cannot predict before the message is sent (a predictable IV turns CBC into a chosen-plaintext
 * oracle); AES outputs under a key only this process knows are that. The operating system's generator
 * (NativePRNG: a read of /dev/urandom and SHA-1 under a global lock, per IV) cost the relay more than the
 * encryption itself. One instance per thread; the key is replaced from the seed generator every
 * {@value #RESEED_BLOCKS} blocks.
 */
final class IvSource {

    static final int BLOCK = 16;
    static final int BATCH_BLOCKS = 64;
    static final long RESEED_BLOCKS = 1L << 24;

    private final SecureRandom seed;
    private final byte[] counter = new byte[BATCH_BLOCKS * BLOCK];
    private final byte[] batch = new byte[BATCH_BLOCKS * BLOCK];
    private Cipher aes;
    private int used = BATCH_BLOCKS;
    private long sinceReseed = RESEED_BLOCKS;
    private long next;

    IvSource(SecureRandom seed) {
        this.seed = seed;
    }

    /** Fills {@code iv} (16 bytes) with the next output. */
    void next(byte[] iv) {
        if (used == BATCH_BLOCKS) {
            refill();
        }
        System.arraycopy(batch, used * BLOCK, iv, 0, BLOCK);
        used++;
    }

    private void refill() {
        try {
            if (sinceReseed >= RESEED_BLOCKS) {
                byte[] key = new byte[16];
                seed.nextBytes(key);
                aes = Cipher.getInstance("AES/ECB/NoPadding");
                aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
                next = seed.nextLong();
                sinceReseed = 0;
            }
            for (int i = 0; i < BATCH_BLOCKS; i++, next++) {
                long n = next;
                for (int b = 0; b < 8; b++) {
                    counter[i * BLOCK + BLOCK - 1 - b] = (byte) (n >>> (8 * b));
                }
            }
            aes.doFinal(counter, 0, counter.length, batch, 0);
            sinceReseed += BATCH_BLOCKS;
            used = 0;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is unavailable", e);
        }
    }
}
