// Every number of the v2 profile in one place, as docs/PROTOCOL.md tables them under "Constants"
// (the Java side keeps them in V2Constants and V2Constants). Times are milliseconds here,
// because browsers and Node count time in milliseconds.

// ---- Outer frames ("Outer frames") --------------------------------------------------------------

/** Largest datagram sent or accepted; Hello and KeyOffer are padded to exactly this (QUIC's choice). */
export const MAX_DATAGRAM = 1200;
export const PADDED_LENGTH = MAX_DATAGRAM;
export const NONCE_LENGTH = 32;
export const COOKIE_LENGTH = 16;
export const SESSION_ID_LENGTH = 8;
export const MAX_NAME_BYTES = 128;
/** Bound on key, wrapped-secret and signature lengths: fits RSA-4096 SubjectPublicKeyInfo and OAEP output. */
export const MAX_KEY_BYTES = 600;

// ---- Key schedule and record protection --------------------------------------------------------

export const SESSION_SECRET_LENGTH = 32;
export const TRANSCRIPT_HASH_LENGTH = 32;
export const AEAD_KEY_LENGTH = 16;
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;
/** RFC 8446 section 5.5: 2^24 full-size records per AES-GCM key, then the next generation. */
export const REKEY_AFTER_MESSAGES = 2 ** 24;
/** Hard stop below 2^24.5: no record is sealed or opened at or past this sequence number. */
export const REJECT_AFTER_MESSAGES = 2 ** 24 + 2 ** 22;
/** New keys after one hour on a generation, however few records were sent. */
export const REKEY_AFTER_MS = 3_600_000;
/** "Key update": a record may be up to three generations ahead of the receiver's. */
export const MAX_GENERATIONS_AHEAD = 3;

export const LABEL_HANDSHAKE = 'ciphergram v2 handshake';
export const LABEL_KEY_UPDATE = 'ciphergram v2 key update';
export const LABEL_C2S_KEY = 'ciphergram v2 c2s key';
export const LABEL_C2S_IV = 'ciphergram v2 c2s iv';
export const LABEL_S2C_KEY = 'ciphergram v2 s2c key';
export const LABEL_S2C_IV = 'ciphergram v2 s2c iv';

/** RFC 6479 ring of 32 words of 64 bits; the guaranteed window is the ring less one word. */
export const REPLAY_RING_BITS = 2048;
export const REPLAY_WINDOW_SIZE = REPLAY_RING_BITS - 64;

/** "Key transport": a fresh RSA-2048 key pair per handshake. */
export const RSA_BITS = 2048;

// ---- Reliable layer ("Reliable delivery") ------------------------------------------------------

/** What is left of a datagram for the sealed inner frame: 1200 − 32 outer header budget − 16 tag. */
export const MAX_RELIABLE_FRAME = MAX_DATAGRAM - 32 - AEAD_TAG_LENGTH;
/** Bytes of the inner Data header on the wire (the budget is 16, one spare). */
export const DATA_FRAME_HEADER = 15;
export const MAX_FRAGMENT_PAYLOAD = MAX_RELIABLE_FRAME - 16;
export const MAX_MESSAGE = 65_536;
export const MAX_FRAGMENTS = Math.ceil(MAX_MESSAGE / MAX_FRAGMENT_PAYLOAD);
export const MAX_REASSEMBLY_BYTES = 2 * MAX_MESSAGE;
export const MAX_INCOMPLETE_MESSAGES = 8;
export const SEND_WINDOW = 64;
export const RECEIVE_WINDOW = 64;
export const MAX_ACK_RANGES = RECEIVE_WINDOW / 2;
/** u32 on the wire, with the cumulative ack after the last one still representable. */
export const MAX_SEQUENCE = 0xffff_fffe;
export const MAX_MESSAGE_ID = 0xffff_ffff;

export const INITIAL_RTO_MS = 1000;
/** Linux's TCP_RTO_MIN: RFC 6298's 1 s floor would stall a chat on every loss. */
export const MIN_RTO_MS = 200;
export const MAX_RTO_MS = 60_000;
export const CLOCK_GRANULARITY_MS = 1;
/** QUIC's default max_ack_delay. */
export const DELAYED_ACK_MS = 25;
/** Ack every eighth in-order fragment at least (v2 has no congestion window for acks to clock): docs/PROTOCOL.md. */
export const ACK_EVERY_FRAGMENTS = 8;
/** RFC 5681 DupThresh, applied to selective acks as RFC 6675 does. */
export const DUPLICATE_THRESHOLD = 3;
export const MAX_RETRANSMISSIONS = 12;
export const GIVE_UP_AFTER_MS = 60_000;
export const MAX_SEND_QUEUE_BYTES = 16 * MAX_MESSAGE;
