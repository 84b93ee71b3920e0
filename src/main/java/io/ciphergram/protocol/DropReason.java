package io.ciphergram.protocol;

/**
 * Why a datagram was dropped. Each is counted (metric {@code ciphergram_datagrams_dropped_total}); none is
 * ever told to the sender, so all decryption failures look alike from outside.
 */
public enum DropReason {
    /** Larger than the classic clients' 4096-byte receive buffer: no seed client sends one. */
    OVERSIZE,
    /** Not base64 where base64 was due. */
    MALFORMED_BASE64,
    /** Base64 of a PEM public key block that does not hold an acceptable RSA key. */
    BAD_PUBLIC_KEY,
    /** Did not decrypt: wrong length, bad padding, wrong key or not UTF-8, deliberately not told apart. */
    UNDECRYPTABLE,
    /** A username datagram that is not UTF-8 text. */
    BAD_USERNAME,
    /** Valid on its own but not in the session's current state (e.g. ACK without SYN). */
    OUT_OF_STATE,
    /** From an address with no session that is neither SYN nor a public key. */
    UNKNOWN_PEER,
    /** Input that authenticated, over its sender's flood-control rate. */
    FLOODED,
    /**
     * Input at an address whose budget for input that does not authenticate is spent (forged datagrams at
     * someone's address, or garbage): dropped before any crypto work.
     */
    FORGED_FLOOD,
    /** v2: a datagram that starts FF 02 but is not a well-formed frame. */
    MALFORMED_FRAME,
    /** v2: a record that opened to an empty inner frame. */
    EMPTY_RECORD,
    /** v2: an inner frame longer than any the reliable layer makes. */
    OVERSIZE_RECORD,
    /** v2: an inner frame of a type this version does not know. */
    UNKNOWN_RECORD_TYPE,
    /** v2: an inner frame that ends before its header or a length it states. */
    TRUNCATED_RECORD,
    /** v2: bytes after the end an inner frame's lengths imply (a Ping or Close of more than one byte too). */
    TRAILING_BYTES,
    /** v2: a fragment whose count is 0 or over 58, or whose index is not below its count. */
    BAD_FRAGMENT,
    /** v2: a fragment carrying more than 1,136 bytes. */
    FRAGMENT_TOO_LARGE,
    /** v2: an Ack with more than 32 selective ranges. */
    TOO_MANY_ACK_RANGES,
    /** v2: an Ack range with a zero gap or length, or past the sequence space. */
    BAD_ACK_RANGE,
    /** v2: a handshake datagram over the per-source handshake rate. */
    HANDSHAKE_RATE_LIMITED,
    /** v2: a KeyOffer whose identity proof does not verify (for its key, cookie, nonce and name). */
    BAD_IDENTITY,
    /** v2: a KeyOffer whose cookie is missing, expired, or made for another address. */
    BAD_COOKIE,
    /** v2: a Data frame for no live session of that peer (unknown or expired session id). */
    UNKNOWN_SESSION,
    /** v2: a Data frame that failed AEAD authentication (tampered, wrong key, forged). */
    AUTH_FAILED,
    /** v2: a Data frame whose sequence number was already seen or is too old for the replay window. */
    REPLAYED,
    /**
     * v2: a Data frame whose key phase is neither the receiver's generation nor one of the next
     * {@code V2Constants.MAX_GENERATIONS_AHEAD}: a record of an older generation, or a forgery.
     */
    BAD_KEY_PHASE,
    /** Arrived while the relay was stopping, too late to be handled. */
    UNAVAILABLE,
    /**
     * Arrived while the relay thread already had its fill of datagrams waiting: shed on arrival, before any
     * decoding or crypto, so that an overload costs the excess and not everything.
     */
    OVERLOADED,
    /** v2: a reassembled message that is not UTF-8 text. */
    BAD_TEXT,
    /** v2: a message from a framed client that starts like an app frame but is not a well-formed one. */
    MALFORMED_APP_FRAME,
    /** No room for a new handshake or session: its source, or the whole registry, is at its limit. */
    SERVER_FULL,
    /**
     * Its answer would have sent an address that has not proven it receives there more bytes than came
     * from it (a forged source asking the server to flood someone else).
     */
    AMPLIFICATION,
    /** Classic: ciphertext the server itself sent this session, sent back to it (whole or any block of it). */
    REFLECTED
}
