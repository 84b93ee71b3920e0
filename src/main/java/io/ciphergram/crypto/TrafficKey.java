package io.ciphergram.crypto;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys of one direction of a v2 session: an AES-128-GCM key and the 12-byte IV salt that is XORed
 * with the sequence number to make each nonce (RFC 8446 section 5.3). Only {@link DirectionKeys} makes
 * these and only {@link SequencedAead} uses them. The key itself remembers the highest sequence number
 * sealed under it, so even two {@code SequencedAead}s made over one key cannot reuse a nonce.
 */
public final class TrafficKey {

    private final String direction;
    private final SecretKey key;
    private final byte[] ivSalt;
    /** A field, not an AtomicLong: every session holds two keys, and the object would cost 24 bytes more. */
    private static final AtomicLongFieldUpdater<TrafficKey> LAST_SEALED =
            AtomicLongFieldUpdater.newUpdater(TrafficKey.class, "lastSealed");

    private volatile long lastSealed = -1;

    TrafficKey(String direction, byte[] keyMaterial, byte[] ivSalt) {
        if (keyMaterial.length != SequencedAead.KEY_LENGTH || ivSalt.length != SequencedAead.NONCE_LENGTH) {
            throw new IllegalArgumentException("AES-128-GCM needs a 16-byte key and a 12-byte IV salt");
        }
        this.direction = direction;
        this.key = new SecretKeySpec(keyMaterial, "AES");
        this.ivSalt = ivSalt.clone();
    }

    SecretKey secretKey() {
        return key;
    }

    byte[] ivSalt() {
        return ivSalt;
    }

    /**
     * Claims {@code seq} for sealing.
     *
     * @throws IllegalArgumentException if it is not greater than every sequence number claimed before
     */
    void claimForSealing(long seq) {
        long last;
        do {
            last = lastSealed;
            if (seq <= last) {
                throw new IllegalArgumentException("sequence number " + seq + " not greater than " + last
                        + ": a GCM nonce must never repeat");
            }
        } while (!LAST_SEALED.compareAndSet(this, last, seq));
    }

    long lastSealed() {
        return lastSealed;
    }

    /** Which way this key protects traffic, e.g. {@code client->server}; not secret. */
    public String direction() {
        return direction;
    }

    @Override
    public String toString() {
        return "TrafficKey[" + direction + ", AES-128-GCM, redacted]";
    }
}
