package io.ciphergram.protocol.v2;

import io.ciphergram.crypto.SequencedAead;

/**
 * Every constant of the hardened v2 profile, each with the reason for its value, in one table (the way
 * wireguard-go keeps {@code device/constants.go}): framing, the handshake, records, the reliable layer.
 * Names follow the specification or the implementation the value is borrowed from; docs/PROTOCOL.md,
 * "Constants", tables them. The crypto primitives' own parameters (key, nonce and tag sizes, labels, the
 * sequence limit) are defined by the primitives in {@code io.ciphergram.crypto}, as in Tink.
 *
 * <p>Datagram budget (every v2 datagram, either direction):
 * <pre>
 *   1200  MAX_DATAGRAM
 *   = 32  TRANSPORT_HEADER_BUDGET   the Data frame's cleartext header (20 bytes used, 12 spare)
 *   + 16  AEAD_TAG                  authentication tag of the sealed datagram
 *   + 16  DATA_HEADER_BUDGET        reliable Data header (15 bytes used, 1 spare)
 *   + 1136 MAX_FRAGMENT_PAYLOAD     message bytes per fragment
 * </pre>
 */
public final class V2Constants {

    private V2Constants() {
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;

    // ---- Handshake (docs/PROTOCOL.md, "Outer frames" and "Handshake") ----------------------------------

    /** Fresh per handshake; 256 bits never repeat. */
    public static final int NONCE_LENGTH = 32;
    /** The longest name a KeyOffer carries, in UTF-8 bytes: a bound for the codec; the relay's rules apply after. */
    public static final int MAX_NAME_BYTES = 128;
    /** Keys, wrapped secrets and signatures in handshake frames: room for RSA-4096 (550 and 512 bytes). */
    public static final int MAX_KEY_BYTES = 600;

    // ---- Handshake DoS defence (cookies as in WireGuard section 5.4.7 and DTLS, RFC 6347 4.2.1) -----

    /**
     * The cookie secret changes every two minutes (WireGuard's {@code CookieRefreshTime}); the previous
     * secret is kept, so a cookie is honoured for at least 120 s and at most 240 s.
     */
    public static final long COOKIE_SECRET_LIFETIME_NANOS = 120L * NANOS_PER_SECOND;
    /**
     * How long an unproven session keeps its KeyReply to answer a repeated KeyOffer: clients repeat one offer
     * for about 2 s (three offers, 0.5 to 1 s apart) and give up the handshake after 10 s, so after this no
     * client of ours can still want it. The server forgets it at its next expiry sweep after this long.
     */
    public static final long KEY_REPLY_HOLD_NANOS = 10L * NANOS_PER_SECOND;
    /** HMAC-SHA256 truncated to 128 bits, WireGuard's cookie size: unforgeable within its lifetime. */
    public static final int COOKIE_LENGTH = 16;
    /** The per-epoch cookie secret: 256 bits, the HMAC-SHA256 output size (RFC 2104 section 3). */
    public static final int COOKIE_SECRET_LENGTH = 32;

    // ---- Record protection and key update (AES-128-GCM, NIST SP 800-38D; TLS 1.3) ---------------------

    /**
     * Move to the next key generation after this many records in one direction. TLS 1.3 allows 2^24.5 full-size
     * records per AES-GCM key (RFC 8446 section 5.5); rekeying at 2^24 leaves room for the rekey itself.
     */
    public static final long REKEY_AFTER_MESSAGES = 1L << 24;
    /** Refuse to seal or open past this sequence number: 2^24 + 2^22 ({@link SequencedAead} says why). */
    public static final long REJECT_AFTER_MESSAGES = SequencedAead.REJECT_AFTER_MESSAGES;
    /** Move to the next key generation after one hour on the same keys, however few records were sent. */
    public static final long REKEY_AFTER_NANOS = 3_600L * NANOS_PER_SECOND;
    /**
     * How many key generations a record may be ahead of the receiver's: if every record of one generation
     * was lost (a lone record before an hour of silence), the receiver still catches up.
     */
    public static final int MAX_GENERATIONS_AHEAD = 3;

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

    // ---- The reliable layer (sizes in bytes, times in nanoseconds, counts in fragments) ----------------


    /**
     * Largest UDP payload either side sends. IPv6 guarantees a 1280-byte MTU; minus the 40-byte IPv6 and
     * 8-byte UDP headers leaves 1232, and 1200 keeps a margin for tunnels (the same choice as QUIC, RFC 9000
     * §14). Datagrams this small are never IP-fragmented, so one lost IP packet loses one fragment only.
     */
    public static final int MAX_DATAGRAM = 1200;
    /** Tag of the AEAD that seals each datagram. */
    public static final int AEAD_TAG = SequencedAead.TAG_LENGTH;
    /**
     * What the record layer may spend on its cleartext header. v2's Data header uses 20 bytes
     * ({@code FF 02 05}, session id 8, key phase 1, sequence 8: {@link V2Codec#DATA_HEADER_LENGTH}); 32
     * leaves 12 spare for a later version's flags or a longer session id without changing the fragment size.
     */
    public static final int TRANSPORT_HEADER_BUDGET = 32;
    /** Largest reliable-layer frame: what is left of a datagram for the sealed plaintext. */
    public static final int MAX_RELIABLE_FRAME = MAX_DATAGRAM - TRANSPORT_HEADER_BUDGET - AEAD_TAG;
    /** Bytes the Data header uses on the wire: type 1, sequence 4, message id 4, index 2, count 2, length 2. */
    public static final int DATA_HEADER = 15;
    /** Bytes budgeted for the Data header: {@link #DATA_HEADER} plus one spare for a later flags byte. */
    public static final int DATA_HEADER_BUDGET = 16;
    /** Message bytes per fragment; every fragment but a message's last carries exactly this many. */
    public static final int MAX_FRAGMENT_PAYLOAD = MAX_RELIABLE_FRAME - DATA_HEADER_BUDGET;

    /** Longest chat message, in UTF-8 bytes (64 KiB, from the product issue). */
    public static final int MAX_MESSAGE = 65_536;
    /** Most fragments a message of {@link #MAX_MESSAGE} bytes needs: 58. */
    public static final int MAX_FRAGMENTS = (MAX_MESSAGE + MAX_FRAGMENT_PAYLOAD - 1) / MAX_FRAGMENT_PAYLOAD;

    /**
     * Bytes a session may hold in incomplete messages. Twice {@link #MAX_MESSAGE}: an honest sender has at
     * most one incomplete message at the receiver (fragments arrive in sequence order), so the second 64 KiB
     * is slack, and a peer that interleaves messages cannot make a session hold more.
     */
    public static final int MAX_REASSEMBLY_BYTES = 2 * MAX_MESSAGE;
    /** Incomplete messages a session may hold at once, so empty-ish fragments cannot grow the map instead. */
    public static final int MAX_INCOMPLETE_MESSAGES = 8;

    /**
     * Sequence numbers a sender may have outstanding, counted from its oldest unacknowledged one (not the
     * number unacknowledged: the receiver's window is anchored at its cumulative ack). 64 fragments hold a
     * whole {@link #MAX_MESSAGE} message (58) in flight; 64 × 1136 B per 100 ms RTT is about 700 KB/s.
     */
    public static final int SEND_WINDOW = 64;
    /**
     * Sequence numbers a receiver buffers beyond its cumulative ack. At least {@link #SEND_WINDOW}, so an
     * honest sender never overruns it; bounds reorder memory to 64 × 1136 B ≈ 71 KiB per session.
     */
    public static final int RECEIVE_WINDOW = 64;
    /**
     * Selective ranges in one Ack. Half of {@link #RECEIVE_WINDOW} is the most a window can fragment into
     * (every other sequence missing), so an Ack always describes the whole window: 6 + 32 × 4 = 134 bytes.
     */
    public static final int MAX_ACK_RANGES = RECEIVE_WINDOW / 2;
    /**
     * Largest sequence number. Sequences are unsigned 32-bit on the wire; the top value is kept free so that
     * the cumulative ack after the last sequence (next expected = MAX_SEQUENCE + 1) still fits. A session that
     * runs out (4 billion fragments, 4.8 TB) must be re-keyed as a new session; the sender reports failure.
     */
    public static final long MAX_SEQUENCE = 0xFFFF_FFFEL;
    /** Largest message id (unsigned 32-bit on the wire). */
    public static final long MAX_MESSAGE_ID = 0xFFFF_FFFFL;


    /** RFC 6298 §2.1: RTO before any RTT sample. */
    public static final long INITIAL_RTO_NANOS = 1 * NANOS_PER_SECOND;
    /**
     * Lower clamp on the RTO. RFC 6298 §2.4 says 1 s; like Linux (TCP_RTO_MIN) we use 200 ms, because chat
     * round trips are tens of milliseconds and a lost fragment should not stall a conversation a second.
     */
    public static final long MIN_RTO_NANOS = 200 * NANOS_PER_MILLI;
    /** Upper clamp on the RTO, backoff included (RFC 6298 §2.5: at least 60 s). */
    public static final long MAX_RTO_NANOS = 60 * NANOS_PER_SECOND;
    /** RFC 6298 G, the clock granularity term of RTO = SRTT + max(G, 4·RTTVAR). */
    public static final long CLOCK_GRANULARITY_NANOS = 1 * NANOS_PER_MILLI;

    /**
     * Longest an in-order fragment waits for its ack (RFC 1122 §4.2.3.2 delays ACKs; QUIC's default
     * max_ack_delay is 25 ms). Out-of-order and duplicate fragments are acked at once.
     */
    public static final long DELAYED_ACK_NANOS = 25 * NANOS_PER_MILLI;
    /**
     * Ack at least every this many in-order fragments, and within {@link #DELAYED_ACK_NANOS}. TCP acks every
     * second segment (RFC 1122 §4.2.3.2, RFC 5681 §4.2) because its acks clock a congestion window; a v2
     * sender has a fixed window ({@link #SEND_WINDOW}) and no congestion window, so, as QUIC lets a sender
     * ask for (draft-ietf-quic-ack-frequency) and Chromium's ack decimation does, a receiver may ack less
     * often: every eighth, which took a fifth of the relay's CPU per delivery off v2 over UDP at the same rate
     * (docs/BENCHMARKS.md, "Acks"). Out-of-order, duplicate and gap-filling fragments are acked at once
     * whatever this is, so loss is seen as soon. The JVM property {@code ciphergram.reliable.ack-every} sets it
     * (1 to 16), for measurement; the page's is {@code ACK_EVERY_FRAGMENTS} in its constants.js.
     */
    public static final int ACK_EVERY_FRAGMENTS = Math.max(1, Math.min(16, Integer.getInteger("ciphergram.reliable.ack-every", 8)));

    /**
     * Fragments sent after a fragment that must be acknowledged before it is deemed lost and retransmitted
     * without waiting for its timer: RFC 5681's DupThresh, applied to selective acks as RFC 6675 does.
     */
    public static final int DUPLICATE_THRESHOLD = 3;

    /** Retransmissions of one fragment before the session is given up (Linux tcp_retries2 is 15). */
    public static final int MAX_RETRANSMISSIONS = 12;
    /** Longest a fragment may stay unacknowledged after its first transmission before the session is given up. */
    public static final long GIVE_UP_AFTER_NANOS = 60 * NANOS_PER_SECOND;

    /** Message bytes a sender queues ahead of its window before it refuses more (backpressure to the caller). */
    public static final int MAX_SEND_QUEUE_BYTES = 16 * MAX_MESSAGE;
    /**
     * The server's queue for one recipient: four whole 64 KiB messages. It holds a recipient that is only
     * briefly behind; one that stays behind is given up ({@code ciphergram.v2.queue-full-timeout}) rather
     * than held in memory, since the server keeps a queue per recipient and a client keeps only its own.
     */
    public static final int SERVER_SEND_QUEUE_BYTES = 4 * MAX_MESSAGE;

}
