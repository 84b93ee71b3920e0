package io.ciphergram.protocol.v2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.ciphergram.protocol.PeerId;

/**
 * Stateless handshake cookies, as WireGuard (whitepaper section 5.4.7) and DTLS (RFC 6347 section 4.2.1)
 * use them: under load the server answers a handshake with a cookie instead of doing RSA work, and only a
 * peer that can receive at its claimed address can echo it back. The server stores nothing per peer.
 *
 * <pre>
 * cookie = first 16 bytes of HMAC-SHA256(secret[epoch],
 *              len(transport) || transport || len(address) || address || epoch)
 *              (lengths u32, epoch u64, all big-endian; UTF-8 strings)
 * epoch  = floor((now - start) / 120 s)
 * </pre>
 *
 * A random secret is drawn for each epoch; the previous one is kept, so a cookie is honoured in the epoch
 * it was issued and the next (at least 120 s, at most 240 s) and never after. The clock comes in as
 * {@code System.nanoTime()}-style nanoseconds. Relay-thread state, like everything the server's handshake
 * keeps: not thread-safe, and it takes no lock.
 */
public final class CookieJar {

    private final Mac hmac;

    private record Secrets(long epoch, SecretKeySpec current, SecretKeySpec previous) {
    }

    private final SecureRandom random;
    private final long startNanos;
    private Secrets secrets;

    public CookieJar(SecureRandom random, long nowNanos) {
        try {
            this.hmac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
        this.random = random;
        this.startNanos = nowNanos;
        this.secrets = new Secrets(0, freshSecret(), freshSecret());
    }

    /** A cookie for {@code peer}, valid until the end of the next secret epoch. */
    public byte[] issue(PeerId peer, long nowNanos) {
        Secrets now = secretsAt(nowNanos);
        return mac(now.current(), peer, now.epoch());
    }

    /** Whether {@code cookie} was issued to {@code peer} in this secret epoch or the one before. */
    public boolean verify(PeerId peer, byte[] cookie, long nowNanos) {
        Secrets now = secretsAt(nowNanos);
        if (cookie == null || cookie.length != V2Constants.COOKIE_LENGTH) {
            return false;
        }
        // Both comparisons always run: how long verification takes says nothing about which secret matched.
        boolean current = MessageDigest.isEqual(cookie, mac(now.current(), peer, now.epoch()));
        boolean previous = MessageDigest.isEqual(cookie, mac(now.previous(), peer, now.epoch() - 1));
        return current | previous;
    }

    private Secrets secretsAt(long nowNanos) {
        long epoch = Math.floorDiv(nowNanos - startNanos, V2Constants.COOKIE_SECRET_LIFETIME_NANOS);
        if (epoch == secrets.epoch() + 1) {
            secrets = new Secrets(epoch, freshSecret(), secrets.current());
        } else if (epoch > secrets.epoch() + 1) {
            // Idle for more than a lifetime: the old secret's cookies have expired; forget it too.
            secrets = new Secrets(epoch, freshSecret(), freshSecret());
        }
        // A clock that appears to go backwards does not rotate anything.
        return secrets;
    }

    private SecretKeySpec freshSecret() {
        byte[] material = new byte[V2Constants.COOKIE_SECRET_LENGTH];
        random.nextBytes(material);
        SecretKeySpec key = new SecretKeySpec(material, "HmacSHA256");
        Arrays.fill(material, (byte) 0);
        return key;
    }

    private byte[] mac(SecretKeySpec secret, PeerId peer, long epoch) {
        byte[] transport = peer.transport().getBytes(StandardCharsets.UTF_8);
        byte[] address = peer.addressText().getBytes(StandardCharsets.UTF_8);
        ByteBuffer input = ByteBuffer.allocate(Integer.BYTES + transport.length + Integer.BYTES + address.length
                + Long.BYTES);
        input.putInt(transport.length).put(transport)
                .putInt(address.length).put(address)
                .putLong(epoch);
        try {
            Mac mac = hmac;
            mac.init(secret);
            byte[] full = mac.doFinal(input.array());
            return Arrays.copyOf(full, V2Constants.COOKIE_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 failed", e);
        }
    }
}
