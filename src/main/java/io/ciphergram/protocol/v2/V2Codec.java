package io.ciphergram.protocol.v2;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import io.ciphergram.crypto.SequencedAead;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.Utf8;
import io.ciphergram.protocol.e2e.E2eCodec;
import io.ciphergram.protocol.e2e.E2eFormatException;
import io.ciphergram.protocol.e2e.IdentityExtension;

/**
 * Turns v2 datagrams into {@link V2Frame}s and back. Strict: every length is bounded before use, trailing
 * bytes are rejected (except the zero padding of Hello and KeyOffer), so a datagram decodes to one frame.
 *
 * <pre>
 * Every datagram: FF 02 type … (0xFF never starts UTF-8, base64 or "SYN", so no classic datagram does)
 *
 * Hello    01  client_nonce[32]  zero padding to 1200 bytes
 * Retry    02  client_nonce[32]  cookie[16]
 * KeyOffer 03  cookie[16] client_nonce[32] u16 key_len key[key_len] u8 name_len name[name_len]
 *              zero padding to 1200 bytes
 * KeyReply 04  server_nonce[32] session_id[8] u16 id_len identity_key[id_len] u16 wrapped_len wrapped[…]
 *              u16 msgs_per_second u16 burst u32 max_message u16 idle_timeout_s u16 keepalive_s
 *              u16 sig_len signature[sig_len]
 * Data     05  session_id[8] key_phase[1] sequence[8] ciphertext[n + 16]
 * </pre>
 * All integers big-endian and unsigned.
 */
public final class V2Codec {

    public static final byte MAGIC = (byte) 0xFF;
    public static final byte VERSION = 0x02;
    public static final byte HELLO = 0x01;
    public static final byte RETRY = 0x02;
    public static final byte KEY_OFFER = 0x03;
    public static final byte KEY_REPLY = 0x04;
    public static final byte DATA = 0x05;

    /** Client handshake datagrams are padded to this (as QUIC pads its Initial), so no reply is larger. */
    public static final int PADDED_LENGTH = V2Constants.MAX_DATAGRAM;
    /** Bytes before a Data frame's ciphertext, all authenticated as associated data. */
    public static final int DATA_HEADER_LENGTH = 3 + 8 + 1 + 8;
    /** The largest datagram v2 sends or accepts. */
    public static final int MAX_DATAGRAM = V2Constants.MAX_DATAGRAM;

    private V2Codec() {
    }

    /** Whether this datagram belongs to the v2 profile: decided by its first two bytes alone. */
    public static boolean isV2(byte[] datagram) {
        return datagram.length >= 3 && datagram[0] == MAGIC && datagram[1] == VERSION;
    }

    public static V2Frame decode(byte[] datagram) throws FrameException {
        if (datagram.length > MAX_DATAGRAM) {
            throw new FrameException(DropReason.OVERSIZE);
        }
        if (!isV2(datagram)) {
            throw new FrameException(DropReason.MALFORMED_FRAME);
        }
        ByteBuffer in = ByteBuffer.wrap(datagram, 3, datagram.length - 3);
        try {
            V2Frame frame = switch (datagram[2]) {
                case HELLO -> new V2Frame.Hello(bytes(in, V2Constants.NONCE_LENGTH));
                case RETRY -> new V2Frame.Retry(bytes(in, V2Constants.NONCE_LENGTH), bytes(in, V2Constants.COOKIE_LENGTH));
                case KEY_OFFER -> new V2Frame.KeyOffer(bytes(in, V2Constants.COOKIE_LENGTH), bytes(in, V2Constants.NONCE_LENGTH),
                        bytes(in, bounded(in.getShort() & 0xFFFF, V2Constants.MAX_KEY_BYTES)),
                        Utf8.decode(bytes(in, bounded(in.get() & 0xFF, V2Constants.MAX_NAME_BYTES)), DropReason.MALFORMED_FRAME),
                        extensions(datagram, in));
                case KEY_REPLY -> new V2Frame.KeyReply(bytes(in, V2Constants.NONCE_LENGTH), in.getLong(),
                        bytes(in, bounded(in.getShort() & 0xFFFF, V2Constants.MAX_KEY_BYTES)), bytes(in, bounded(in.getShort() & 0xFFFF, V2Constants.MAX_KEY_BYTES)),
                        new V2Frame.Limits(u16(in), u16(in), in.getInt(), u16(in), u16(in)),
                        bytes(in, bounded(in.getShort() & 0xFFFF, V2Constants.MAX_KEY_BYTES)));
                case DATA -> new V2Frame.Data(in.getLong(), in.get() & 0xFF, in.getLong(), rest(in));
                default -> throw new FrameException(DropReason.MALFORMED_FRAME);
            };
            boolean padded = datagram[2] == HELLO || datagram[2] == KEY_OFFER;
            while (in.hasRemaining()) {
                if (!padded || in.get() != 0) {
                    throw new FrameException(DropReason.MALFORMED_FRAME);
                }
            }
            if (padded && datagram.length != PADDED_LENGTH) {
                throw new FrameException(DropReason.MALFORMED_FRAME);
            }
            if (frame instanceof V2Frame.Data d && d.ciphertext().length < SequencedAead.TAG_LENGTH) {
                throw new FrameException(DropReason.MALFORMED_FRAME);
            }
            if (frame instanceof V2Frame.KeyReply r && r.limits().maxMessageBytes() < 0) {
                throw new FrameException(DropReason.MALFORMED_FRAME); // a u32 this implementation cannot hold
            }
            return frame;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new FrameException(DropReason.MALFORMED_FRAME);
        }
    }

    public static byte[] encode(V2Frame frame) {
        ByteBuffer out = ByteBuffer.allocate(MAX_DATAGRAM);
        if (frame instanceof V2Frame.Hello h) {
            header(out, HELLO).put(check(h.clientNonce(), V2Constants.NONCE_LENGTH));
            return padded(out);
        } else if (frame instanceof V2Frame.Retry r) {
            header(out, RETRY).put(check(r.clientNonce(), V2Constants.NONCE_LENGTH)).put(check(r.cookie(), V2Constants.COOKIE_LENGTH));
        } else if (frame instanceof V2Frame.KeyOffer k) {
            byte[] name = k.name().getBytes(StandardCharsets.UTF_8);
            if (name.length > V2Constants.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("name too long");
            }
            header(out, KEY_OFFER).put(check(k.cookie(), V2Constants.COOKIE_LENGTH)).put(check(k.clientNonce(), V2Constants.NONCE_LENGTH))
                    .putShort((short) k.clientPublicKey().length).put(k.clientPublicKey())
                    .put((byte) name.length).put(name);
            extensions(out, k.extensions());
            return padded(out);
        } else if (frame instanceof V2Frame.KeyReply r) {
            signedPart(header(out, KEY_REPLY), r);
            out.putShort((short) r.signature().length).put(r.signature());
        } else {
            V2Frame.Data d = (V2Frame.Data) frame;
            out.put(dataHeader(d.sessionId(), d.keyPhase(), d.sequence())).put(d.ciphertext());
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Extension types of a KeyOffer. */
    static final int EXT_IDENTITY = IdentityExtension.TYPE;
    static final int EXT_FEATURES = 0x02;
    static final int EXT_RESUME = 0x03;

    /**
     * The KeyOffer's extensions, from {@code in} (just after the name) to the first zero byte, the padding.
     * Each type at most once; an unknown type is skipped by its length, so a later client's extension does
     * not make this server refuse it.
     */
    private static V2Frame.Extensions extensions(byte[] datagram, ByteBuffer in) throws FrameException {
        IdentityExtension identity = null;
        Integer features = null;
        V2Frame.Resume resume = null;
        while (in.hasRemaining() && datagram[in.position()] != 0) {
            int at = in.position();
            int type = in.get() & 0xFF;
            int length = in.get() & 0xFF;
            byte[] value = bytes(in, length);
            if (type == EXT_IDENTITY && identity == null) {
                try {
                    identity = E2eCodec.decodeIdentityExtension(datagram, at);
                } catch (E2eFormatException e) {
                    throw new FrameException(DropReason.MALFORMED_FRAME);
                }
            } else if (type == EXT_FEATURES && features == null && length == 1) {
                features = value[0] & 0xFF;
            } else if (type == EXT_RESUME && resume == null && length >= 10 && length <= 8 + 33) {
                ByteBuffer v = ByteBuffer.wrap(value);
                long lastLineId = v.getLong();
                resume = new V2Frame.Resume(new String(value, 8, length - 8, StandardCharsets.US_ASCII), lastLineId);
            } else if (type == EXT_IDENTITY || type == EXT_FEATURES || type == EXT_RESUME) {
                throw new FrameException(DropReason.MALFORMED_FRAME); // repeated, or the wrong length
            }
        }
        return new V2Frame.Extensions(identity, features == null ? 0 : features, resume);
    }

    private static void extensions(ByteBuffer out, V2Frame.Extensions ext) {
        if (ext.identity() != null) {
            out.put(E2eCodec.encode(ext.identity()));
        }
        if (ext.features() != 0) {
            out.put((byte) EXT_FEATURES).put((byte) 1).put((byte) ext.features());
        }
        if (ext.resume() != null) {
            byte[] room = ext.resume().room().getBytes(StandardCharsets.US_ASCII);
            out.put((byte) EXT_RESUME).put((byte) (8 + room.length)).putLong(ext.resume().lastLineId()).put(room);
        }
    }

    /** The KeyReply's bytes up to its signature: what the transcript covers of it. */
    public static byte[] signedPart(V2Frame.KeyReply reply) {
        ByteBuffer out = ByteBuffer.allocate(MAX_DATAGRAM);
        signedPart(header(out, KEY_REPLY), reply);
        return Arrays.copyOf(out.array(), out.position());
    }

    private static void signedPart(ByteBuffer out, V2Frame.KeyReply r) {
        V2Frame.Limits l = r.limits();
        u16Check(l.messagesPerSecond());
        u16Check(l.burst());
        u16Check(l.idleTimeoutSeconds());
        u16Check(l.keepaliveSeconds());
        if (l.maxMessageBytes() < 0) {
            throw new IllegalArgumentException("max_message does not fit");
        }
        out.put(check(r.serverNonce(), V2Constants.NONCE_LENGTH)).putLong(r.sessionId())
                .putShort((short) r.serverIdentityKey().length).put(r.serverIdentityKey())
                .putShort((short) r.wrappedSecret().length).put(r.wrappedSecret())
                .putShort((short) l.messagesPerSecond()).putShort((short) l.burst()).putInt(l.maxMessageBytes())
                .putShort((short) l.idleTimeoutSeconds()).putShort((short) l.keepaliveSeconds());
    }

    /** The associated data of a Data frame: its 20-byte header. */
    public static byte[] dataHeader(long sessionId, int keyPhase, long sequence) {
        return ByteBuffer.allocate(DATA_HEADER_LENGTH).put(MAGIC).put(VERSION).put(DATA)
                .putLong(sessionId).put((byte) keyPhase).putLong(sequence).array();
    }

    /**
     * SHA-256 of the handshake transcript: a label, the KeyOffer datagram exactly as sent (padding
     * included) and the KeyReply up to its signature. The server signs it; both sides salt the key
     * derivation with it, so any change to either message yields keys that open nothing.
     */
    public static byte[] transcriptHash(byte[] keyOfferDatagram, V2Frame.KeyReply reply) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("ciphergram v2 handshake".getBytes(StandardCharsets.US_ASCII));
            sha256.update(keyOfferDatagram);
            sha256.update(signedPart(reply));
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ByteBuffer header(ByteBuffer out, byte type) {
        return out.put(MAGIC).put(VERSION).put(type);
    }

    private static byte[] padded(ByteBuffer out) {
        return Arrays.copyOf(out.array(), PADDED_LENGTH);
    }

    private static byte[] check(byte[] value, int length) {
        if (value.length != length) {
            throw new IllegalArgumentException("expected " + length + " bytes");
        }
        return value;
    }

    private static int bounded(int length, int max) {
        if (length > max) {
            throw new IllegalArgumentException("length over bound");
        }
        return length;
    }

    /** Limits are configuration: one that does not fit its field is refused, never silently truncated. */
    private static void u16Check(int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("a limit of " + value + " does not fit in 16 bits");
        }
    }

    private static int u16(ByteBuffer in) {
        return in.getShort() & 0xFFFF;
    }

    private static byte[] bytes(ByteBuffer in, int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static byte[] rest(ByteBuffer in) {
        return bytes(in, in.remaining());
    }
}
