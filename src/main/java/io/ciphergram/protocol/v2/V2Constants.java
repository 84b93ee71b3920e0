package io.ciphergram.protocol.v2;

import io.ciphergram.crypto.DirectionKeys;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.SequencedAead;
import io.ciphergram.crypto.SessionSecret;

/**
 * Every constant of the hardened v2 profile, each with the reason for its value, in one table (the way
 * wireguard-go keeps {@code device/constants.go}). Names follow the specification or the implementation
 * the value is borrowed from. The crypto primitives' own parameters (key, nonce and tag sizes, labels, the
 * sequence limit) are defined by the primitives in {@code io.ciphergram.crypto}, as in Tink, and only
 * named here.
 */
public final class V2Constants {

    private V2Constants() {
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    // ---- Key schedule (HKDF-SHA256, RFC 5869) -------------------------------------------------------

    /** The session secret the server draws and RSA-OAEP-wraps to the client's ephemeral key. */
    public static final int SESSION_SECRET_LENGTH = SessionSecret.LENGTH;

    /** SHA-256 of the handshake transcript; used as the HKDF-Extract salt so keys bind to the handshake. */
    public static final int TRANSCRIPT_HASH_LENGTH = DirectionKeys.SALT_LENGTH;

    /** HKDF-Expand labels, one per derived value and direction ({@link DirectionKeys} says why). */
    public static final String LABEL_CLIENT_TO_SERVER_KEY = DirectionKeys.LABEL_CLIENT_TO_SERVER_KEY;
    public static final String LABEL_CLIENT_TO_SERVER_IV = DirectionKeys.LABEL_CLIENT_TO_SERVER_IV;
    public static final String LABEL_SERVER_TO_CLIENT_KEY = DirectionKeys.LABEL_SERVER_TO_CLIENT_KEY;
    public static final String LABEL_SERVER_TO_CLIENT_IV = DirectionKeys.LABEL_SERVER_TO_CLIENT_IV;

    // ---- Record protection (AES-128-GCM, NIST SP 800-38D) -------------------------------------------

    /** AES-128-GCM key, nonce and tag sizes ({@link SequencedAead} says why). */
    public static final int AEAD_KEY_LENGTH = SequencedAead.KEY_LENGTH;
    public static final int AEAD_NONCE_LENGTH = SequencedAead.NONCE_LENGTH;
    public static final int AEAD_TAG_LENGTH = SequencedAead.TAG_LENGTH;

    /**
     * Move to the next key generation after this many records in one direction. TLS 1.3 allows 2^24.5 full-size
     * records per AES-GCM key (RFC 8446 section 5.5); rekeying at 2^24 leaves room for the rekey itself.
     */
    public static final long REKEY_AFTER_MESSAGES = 1L << 24;

    /** Refuse to seal or open past this sequence number: 2^24 + 2^22 ({@link SequencedAead} says why). */
    public static final long REJECT_AFTER_MESSAGES = SequencedAead.REJECT_AFTER_MESSAGES;

    /** Move to the next key generation after one hour on the same keys, however few records were sent. */
    public static final long REKEY_AFTER_NANOS = 3_600L * NANOS_PER_SECOND;

    // ---- Anti-replay (RFC 6479) ---------------------------------------------------------------------

    /**
     * Bits in the replay ring: 32 words of 64 bits. RFC 6479 keeps a ring of words and gives up one word
     * of it as the window slides. DTLS 1.2 requires only 64 (RFC 6347 section 4.1.2.6) and IPsec's ESN
     * guidance asks for much more on fast links; WireGuard uses 8192 bits (window 8128). We require a
     * window of at least 1024 so that UDP reordering on a busy relay does not drop genuine messages.
     */
    public static final int REPLAY_RING_BITS = 2048;

    /** The window a receiver guarantees: the ring less one word, as in RFC 6479 (2048 - 64 = 1984). */
    public static final int REPLAY_WINDOW_SIZE = REPLAY_RING_BITS - Long.SIZE;

    // ---- Handshake DoS defence (cookies as in WireGuard section 5.4.7 and DTLS, RFC 6347 4.2.1) -----

    /**
     * The cookie secret changes every two minutes (WireGuard's {@code CookieRefreshTime}); the previous
     * secret is kept, so a cookie is honoured for at least 120 s and at most 240 s.
     */
    public static final long COOKIE_SECRET_LIFETIME_NANOS = 120L * NANOS_PER_SECOND;

    /** HMAC-SHA256 truncated to 128 bits, WireGuard's cookie size: unforgeable within its lifetime. */
    public static final int COOKIE_LENGTH = 16;

    /** The per-epoch cookie secret: 256 bits, the HMAC-SHA256 output size (RFC 2104 section 3). */
    public static final int COOKIE_SECRET_LENGTH = 32;


    // ---- Key transport and server identity ----------------------------------------------------------

    /** The smallest RSA key a client may ask the server to wrap a session secret to (NIST SP 800-57). */
    public static final int KEY_TRANSPORT_MIN_RSA_BITS = RsaKeys.MIN_ACCEPTED_BITS;
}
