package io.ciphergram.protocol.e2e;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.ciphergram.crypto.Hpke;
import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.crypto.SignedPrekey;

/**
 * The end-to-end structures ⇄ bytes, exactly as docs/PROTOCOL.md ("End-to-end messages") lays them out:
 * the {@link Envelope}, the {@link KeyBundle} and the KeyOffer's {@link IdentityExtension}. All integers
 * are unsigned big-endian. Decoding is strict: every length within its bound, names in UTF-8, identity keys
 * valid Ed25519 points, and not one byte more or less than the layout, or an {@link E2eFormatException}
 * naming the field. Decoding proves nothing about who made the bytes: {@link EndToEnd#open} and
 * {@link KeyBundle#isSigned()} do.
 */
public final class E2eCodec {

    /** A name in an envelope: 1 to 128 bytes of UTF-8, the v2 KeyOffer's bound. */
    public static final int MAX_NAME_BYTES = 128;
    /**
     * The longest plaintext an envelope carries: 63 KiB, so that a whole envelope (at most 64,915 bytes)
     * fits one v2 message (64 KiB) with room for the frame that carries it.
     */
    public static final int MAX_PLAINTEXT_LENGTH = 64_512;
    /** Version, both name lengths, prekey id, message id, time, enc, ciphertext length, tag, signature. */
    public static final int ENVELOPE_OVERHEAD = 1 + 1 + 1 + 4 + Envelope.MESSAGE_ID_LENGTH + 8 + Hpke.ENCAPSULATED_KEY_LENGTH
            + 4 + Hpke.TAG_LENGTH + IdentityPublicKey.SIGNATURE_LENGTH;
    public static final int MAX_ENVELOPE_LENGTH = ENVELOPE_OVERHEAD + 2 * MAX_NAME_BYTES + MAX_PLAINTEXT_LENGTH;
    /** Version, identity key, prekey id, created, prekey, signature. */
    public static final int KEY_BUNDLE_LENGTH = 1 + IdentityPublicKey.LENGTH + 4 + 8 + SignedPrekey.PUBLIC_KEY_LENGTH
            + IdentityPublicKey.SIGNATURE_LENGTH;

    private E2eCodec() {
    }

    public static byte[] encode(Envelope envelope) {
        byte[] sender = nameBytes(envelope.sender());
        byte[] recipient = nameBytes(envelope.recipient());
        int ciphertextLength = envelope.ciphertext().length;
        if (ciphertextLength < Hpke.TAG_LENGTH || ciphertextLength > MAX_PLAINTEXT_LENGTH + Hpke.TAG_LENGTH) {
            throw new IllegalArgumentException("an envelope's ciphertext is 16 to " + (MAX_PLAINTEXT_LENGTH + Hpke.TAG_LENGTH) + " bytes");
        }
        requireLength(envelope.messageId(), Envelope.MESSAGE_ID_LENGTH, "message id");
        requireLength(envelope.encapsulatedKey(), Hpke.ENCAPSULATED_KEY_LENGTH, "encapsulated key");
        requireLength(envelope.signature(), IdentityPublicKey.SIGNATURE_LENGTH, "signature");
        return ByteBuffer.allocate(ENVELOPE_OVERHEAD + sender.length + recipient.length + ciphertextLength - Hpke.TAG_LENGTH)
                .put((byte) Envelope.VERSION)
                .put((byte) sender.length).put(sender)
                .put((byte) recipient.length).put(recipient)
                .putInt(envelope.recipientPrekeyId())
                .put(envelope.messageId())
                .putLong(envelope.timeMillis())
                .put(envelope.encapsulatedKey())
                .putInt(ciphertextLength).put(envelope.ciphertext())
                .put(envelope.signature())
                .array();
    }

    public static Envelope decodeEnvelope(byte[] bytes) throws E2eFormatException {
        if (bytes.length > MAX_ENVELOPE_LENGTH) {
            throw new E2eFormatException("an envelope is at most " + MAX_ENVELOPE_LENGTH + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            version(in, Envelope.VERSION, "envelope");
            String sender = name(in, "sender");
            String recipient = name(in, "recipient");
            int prekeyId = in.getInt();
            byte[] messageId = take(in, Envelope.MESSAGE_ID_LENGTH);
            long time = in.getLong();
            byte[] enc = take(in, Hpke.ENCAPSULATED_KEY_LENGTH);
            long ciphertextLength = in.getInt() & 0xFFFF_FFFFL;
            if (ciphertextLength < Hpke.TAG_LENGTH || ciphertextLength > MAX_PLAINTEXT_LENGTH + Hpke.TAG_LENGTH) {
                throw new E2eFormatException("ciphertext_len out of bounds");
            }
            byte[] ciphertext = take(in, (int) ciphertextLength);
            byte[] signature = take(in, IdentityPublicKey.SIGNATURE_LENGTH);
            end(in, "envelope");
            return new Envelope(sender, recipient, prekeyId, messageId, time, enc, ciphertext, signature);
        } catch (BufferUnderflowException e) {
            throw new E2eFormatException("envelope truncated");
        }
    }

    public static byte[] encode(KeyBundle bundle) {
        SignedPrekey prekey = bundle.prekey();
        return ByteBuffer.allocate(KEY_BUNDLE_LENGTH)
                .put((byte) KeyBundle.VERSION)
                .put(bundle.identity().bytes())
                .putInt(prekey.id())
                .putLong(prekey.createdMillis())
                .put(prekey.publicKey())
                .put(prekey.signature())
                .array();
    }

    /** A bundle's form only: {@link KeyBundle#isSigned()} checks its signature. */
    public static KeyBundle decodeKeyBundle(byte[] bytes) throws E2eFormatException {
        if (bytes.length != KEY_BUNDLE_LENGTH) {
            throw new E2eFormatException("a key bundle is " + KEY_BUNDLE_LENGTH + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        version(in, KeyBundle.VERSION, "key bundle");
        IdentityPublicKey identity = identityKey(in);
        int id = in.getInt();
        long created = in.getLong();
        byte[] publicKey = take(in, SignedPrekey.PUBLIC_KEY_LENGTH);
        byte[] signature = take(in, IdentityPublicKey.SIGNATURE_LENGTH);
        return new KeyBundle(identity, SignedPrekey.of(id, created, publicKey, signature));
    }

    /** The 98 bytes the KeyOffer carries after the name. */
    public static byte[] encode(IdentityExtension extension) {
        requireLength(extension.signature(), IdentityPublicKey.SIGNATURE_LENGTH, "signature");
        return ByteBuffer.allocate(IdentityExtension.ENCODED_LENGTH)
                .put((byte) IdentityExtension.TYPE)
                .put((byte) IdentityExtension.BODY_LENGTH)
                .put(extension.identity().bytes())
                .put(extension.signature())
                .array();
    }

    /**
     * The identity extension at {@code offset} of a KeyOffer (right after the name). The caller checks
     * that what follows its {@link IdentityExtension#ENCODED_LENGTH} bytes is the zero padding.
     */
    public static IdentityExtension decodeIdentityExtension(byte[] keyOffer, int offset) throws E2eFormatException {
        if (offset < 0 || offset > keyOffer.length || keyOffer.length - offset < IdentityExtension.ENCODED_LENGTH) {
            throw new E2eFormatException("identity extension truncated");
        }
        ByteBuffer in = ByteBuffer.wrap(keyOffer, offset, IdentityExtension.ENCODED_LENGTH);
        if ((in.get() & 0xFF) != IdentityExtension.TYPE) {
            throw new E2eFormatException("not an identity extension");
        }
        if ((in.get() & 0xFF) != IdentityExtension.BODY_LENGTH) {
            throw new E2eFormatException("an identity extension's length is " + IdentityExtension.BODY_LENGTH);
        }
        IdentityPublicKey identity = identityKey(in);
        return new IdentityExtension(identity, take(in, IdentityPublicKey.SIGNATURE_LENGTH));
    }

    /** A name's UTF-8 bytes, 1 to 128 of them. */
    static byte[] nameBytes(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a name is 1 to " + MAX_NAME_BYTES + " bytes of UTF-8");
        }
        return bytes;
    }

    private static void version(ByteBuffer in, int expected, String what) throws E2eFormatException {
        if ((in.get() & 0xFF) != expected) {
            throw new E2eFormatException("unknown " + what + " version");
        }
    }

    private static String name(ByteBuffer in, String field) throws E2eFormatException {
        int length = in.get() & 0xFF;
        if (length == 0 || length > MAX_NAME_BYTES) {
            throw new E2eFormatException(field + " name length out of bounds");
        }
        byte[] bytes = take(in, length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new E2eFormatException(field + " name is not UTF-8");
        }
    }

    private static IdentityPublicKey identityKey(ByteBuffer in) throws E2eFormatException {
        try {
            return IdentityPublicKey.of(take(in, IdentityPublicKey.LENGTH));
        } catch (IllegalArgumentException e) {
            throw new E2eFormatException("identity key is not a usable Ed25519 key");
        }
    }

    private static byte[] take(ByteBuffer in, int length) {
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    private static void end(ByteBuffer in, String what) throws E2eFormatException {
        if (in.hasRemaining()) {
            throw new E2eFormatException("bytes after the " + what);
        }
    }

    private static void requireLength(byte[] bytes, int length, String field) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException("the " + field + " is " + length + " bytes");
        }
    }
}
