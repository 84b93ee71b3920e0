package io.ciphergram.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.RsaKeys;

/**
 * Turns classic datagrams into {@link ClassicFrame}s and back. The seed's format is not self-describing:
 * after the key exchange a username and a message are both just bytes, so the caller says which opaque
 * frame its state expects. Base64 is decoded leniently (ASCII whitespace ignored) and encoded strictly
 * (standard alphabet, padded, no line breaks).
 */
public final class ClassicCodec {

    /** The seed's clients receive into 4096-byte buffers: no datagram either way may be larger. */
    public static final int MAX_DATAGRAM = 4096;
    /** The longest UTF-8 text whose sealed, base64-encoded form still fits in {@link #MAX_DATAGRAM}. */
    public static final int MAX_TEXT_BYTES = maxTextBytes();

    private static final byte[] SYN = ascii("SYN");
    private static final byte[] SYN_ACK = ascii("SYN-ACK");
    private static final byte[] ACK = ascii("ACK");

    /** What an opaque (non-control) datagram from a client is in the session's current state. */
    public enum ClientExpects {
        /** Before the key exchange nothing opaque is valid; a public key may still come. */
        KEY,
        /** After the key reply: the next opaque datagram is the username. */
        USERNAME,
        /** Registered: opaque datagrams are sealed messages. */
        MESSAGE,
        /** A proven session with a new handshake waiting for its username: either ({@link ClassicFrame.SealedOrUsername}). */
        MESSAGE_OR_USERNAME,
        /**
         * The key reply is being made: an opaque datagram cannot be read yet and is kept as it is
         * ({@link ClassicFrame.Opaque}) until the state says what it is.
         */
        LATER
    }

    private ClassicCodec() {
    }

    /**
     * Decodes a datagram a client sent. {@code SYN}, {@code ACK} and public keys are recognised in any
     * state (a new SYN or key restarts a session); anything else is read as {@code expects} says.
     */
    public static ClassicFrame decodeFromClient(byte[] datagram, ClientExpects expects) throws FrameException {
        if (datagram.length > MAX_DATAGRAM) {
            throw new FrameException(DropReason.OVERSIZE);
        }
        if (Arrays.equals(datagram, SYN)) {
            return new ClassicFrame.Syn();
        }
        if (Arrays.equals(datagram, ACK)) {
            return new ClassicFrame.Ack();
        }
        if (isPublicKeyDatagram(datagram)) {
            return decodePublicKey(datagram);
        }
        return switch (expects) {
            case KEY -> throw new FrameException(DropReason.OUT_OF_STATE);
            case USERNAME -> new ClassicFrame.Username(Utf8.decode(datagram, DropReason.BAD_USERNAME).strip());
            case MESSAGE -> new ClassicFrame.Sealed(base64(datagram));
            case MESSAGE_OR_USERNAME -> sealedOrUsername(datagram);
            case LATER -> new ClassicFrame.Opaque(datagram.clone());
        };
    }

    private static ClassicFrame sealedOrUsername(byte[] datagram) throws FrameException {
        byte[] sealed;
        try {
            sealed = base64(datagram);
        } catch (FrameException e) {
            sealed = null;
        }
        String username;
        try {
            username = Utf8.decode(datagram, DropReason.BAD_USERNAME).strip();
        } catch (FrameException e) {
            username = null;
        }
        if (sealed == null && username == null) {
            throw new FrameException(DropReason.BAD_USERNAME);
        }
        return new ClassicFrame.SealedOrUsername(sealed, username);
    }

    /** What an opaque datagram from the server is: the client knows whether it still awaits its key. */
    public enum ServerExpects { KEY_REPLY, MESSAGE }

    public static ClassicFrame decodeFromServer(byte[] datagram, ServerExpects expects) throws FrameException {
        if (datagram.length > MAX_DATAGRAM) {
            throw new FrameException(DropReason.OVERSIZE);
        }
        if (Arrays.equals(datagram, SYN_ACK)) {
            return new ClassicFrame.SynAck();
        }
        byte[] decoded = base64(datagram);
        return switch (expects) {
            case KEY_REPLY -> new ClassicFrame.KeyReply(decoded);
            case MESSAGE -> new ClassicFrame.Sealed(decoded);
        };
    }

    public static byte[] encode(ClassicFrame frame) {
        byte[] out;
        if (frame instanceof ClassicFrame.Syn) {
            out = SYN.clone();
        } else if (frame instanceof ClassicFrame.SynAck) {
            out = SYN_ACK.clone();
        } else if (frame instanceof ClassicFrame.Ack) {
            out = ACK.clone();
        } else if (frame instanceof ClassicFrame.PublicKeyOffer k) {
            out = Base64.getEncoder().encode(RsaKeys.toPem(k.key()).getBytes(StandardCharsets.US_ASCII));
        } else if (frame instanceof ClassicFrame.KeyReply r) {
            out = Base64.getEncoder().encode(r.encryptedKey());
        } else if (frame instanceof ClassicFrame.Username u) {
            out = u.name().getBytes(StandardCharsets.UTF_8);
        } else if (frame instanceof ClassicFrame.SealedOrUsername || frame instanceof ClassicFrame.Opaque) {
            throw new IllegalArgumentException("a frame whose meaning depends on state is only ever decoded");
        } else {
            out = Base64.getEncoder().encode(((ClassicFrame.Sealed) frame).ivAndCiphertext());
        }
        if (out.length > MAX_DATAGRAM) {
            throw new IllegalArgumentException("frame exceeds the classic 4096-byte datagram limit");
        }
        return out;
    }

    /** A public key datagram is base64 of "-----BEGIN PUBLIC KEY-----...", so it always starts "LS0tLS1CRUdJTi". */
    static boolean isPublicKeyDatagram(byte[] datagram) {
        byte[] prefix = ascii("LS0tLS1CRUdJTi");
        int i = 0;
        int matched = 0;
        while (i < datagram.length && matched < prefix.length) {
            byte b = datagram[i++];
            if (isWhitespace(b)) {
                continue;
            }
            if (b != prefix[matched++]) {
                return false;
            }
        }
        return matched == prefix.length;
    }

    private static ClassicFrame decodePublicKey(byte[] datagram) throws FrameException {
        byte[] pem = base64(datagram);
        if (!RsaKeys.looksLikePem(pem)) {
            throw new FrameException(DropReason.BAD_PUBLIC_KEY);
        }
        try {
            return new ClassicFrame.PublicKeyOffer(RsaKeys.fromPem(new String(pem, StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException e) {
            throw new FrameException(DropReason.BAD_PUBLIC_KEY);
        }
    }

    /** Lenient base64: standard alphabet, ASCII whitespace ignored, padding optional. */
    static byte[] base64(byte[] datagram) throws FrameException {
        byte[] compact = new byte[datagram.length];
        int n = 0;
        for (byte b : datagram) {
            if (!isWhitespace(b)) {
                compact[n++] = b;
            }
        }
        if (n == 0) {
            throw new FrameException(DropReason.MALFORMED_BASE64);
        }
        try {
            return Base64.getDecoder().decode(n == compact.length ? compact : Arrays.copyOf(compact, n));
        } catch (IllegalArgumentException e) {
            throw new FrameException(DropReason.MALFORMED_BASE64);
        }
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == '\f' || b == 0x0b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int maxTextBytes() {
        int maxSealed = MAX_DATAGRAM / 4 * 3;
        int text = maxSealed;
        while (ClassicMessageCipher.sealedLength(text) > maxSealed) {
            text--;
        }
        return text;
    }
}
