package io.ciphergram.protocol.e2e;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Collection;

import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.Hpke;
import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.IdentityPublicKey;
import io.ciphergram.crypto.PrekeyPair;

/**
 * Private messages the relay cannot read or forge (docs/PROTOCOL.md, "End-to-end messages"): a sender
 * {@link #seal}s a text to the recipient's current prekey with HPKE (RFC 9180 base mode, DHKEM(X25519,
 * HKDF-SHA256), HKDF-SHA256, AES-128-GCM) and signs the result with its identity; the recipient
 * {@link #open}s it with the sender's pinned identity key and its own prekeys.
 *
 * <pre>
 * info      = ascii("ciphergram e2e v1") ‖ u8 len ‖ sender ‖ u8 len ‖ recipient
 *             ‖ sender identity key id[8] ‖ u32 recipient prekey id
 * aad       = message_id[16] ‖ u64 time_ms
 * enc, ct   = SealBase(recipient prekey, info, aad, plaintext)
 * signature = Ed25519(sender identity, ascii("ciphergram e2e v1 signature") ‖ enc ‖ u32 len(ct) ‖ ct ‖ aad ‖ info)
 * </pre>
 *
 * The signature covers every field of the envelope (the names and the prekey id through the info, the
 * version through the labels), so nobody without the sender's key can make or alter one; the sender's key
 * id inside the HPKE info means that even a ciphertext re-signed by another identity does not open. The
 * replay cache refuses the same envelope twice.
 */
public final class EndToEnd {

    public static final String INFO_LABEL = "ciphergram e2e v1";
    public static final String SIGNATURE_LABEL = "ciphergram e2e v1 signature";

    private static final byte[] INFO_LABEL_BYTES = INFO_LABEL.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIGNATURE_LABEL_BYTES = SIGNATURE_LABEL.getBytes(StandardCharsets.US_ASCII);

    /** Why an envelope did not open. None of them says anything about the plaintext. */
    public enum Failure {
        /** It names another recipient: misrouted, or replayed to the wrong person. */
        NOT_FOR_US,
        /** The signature is not the pinned sender key's: forged, altered, or the sender's key changed. */
        BAD_SIGNATURE,
        /** Its id was seen before. */
        REPLAYED,
        /** Older than the replay cache's age bound (or its floor), or too far in the future. */
        OUT_OF_WINDOW,
        /** Sealed to a prekey this client no longer holds (deleted on schedule) or never had. */
        UNKNOWN_PREKEY,
        /** Signed by the sender yet not decryptable: the sender sealed it wrongly. */
        UNDECRYPTABLE
    }

    /** An envelope that did not open, and why. */
    public static final class OpenFailure extends Exception {

        private static final long serialVersionUID = 1L;
        private final Failure failure;

        public OpenFailure(Failure failure) {
            super(failure.name(), null, false, false);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    /** An opened envelope: who sent it to whom, when, and the plaintext. */
    public record Opened(String sender, String recipient, byte[] messageId, long timeMillis, byte[] plaintext) {
        /** The plaintext as text: it is the UTF-8 of a chat message. */
        public String text() {
            return new String(plaintext, StandardCharsets.UTF_8);
        }
    }

    private EndToEnd() {
    }

    /**
     * Seals {@code plaintext} from {@code senderName} to {@code recipientName}'s bundle. The message id
     * (16 bytes) and then the ephemeral key (32) are drawn from {@code random}, in that order.
     *
     * @throws IllegalArgumentException if the bundle's prekey is not signed by its identity, a name is empty
     *         or over 128 bytes, or the plaintext is over {@link E2eCodec#MAX_PLAINTEXT_LENGTH}
     */
    public static Envelope seal(IdentityKeyPair sender, String senderName, String recipientName, KeyBundle recipient,
            byte[] plaintext, long nowMillis, SecureRandom random) {
        if (!recipient.isSigned()) {
            throw new IllegalArgumentException("the recipient's prekey is not signed by its identity key");
        }
        if (plaintext.length > E2eCodec.MAX_PLAINTEXT_LENGTH) {
            throw new IllegalArgumentException("an end-to-end message is at most " + E2eCodec.MAX_PLAINTEXT_LENGTH + " bytes");
        }
        int prekeyId = recipient.prekey().id();
        byte[] info = info(senderName, recipientName, sender.publicKey(), prekeyId);
        byte[] messageId = new byte[Envelope.MESSAGE_ID_LENGTH];
        random.nextBytes(messageId);
        byte[] aad = associatedData(messageId, nowMillis);
        Hpke.Sealed sealed = Hpke.seal(recipient.prekey(), info, aad, plaintext, random);
        byte[] signature = sender.sign(signedMessage(sealed.encapsulatedKey(), sealed.ciphertext(), aad, info));
        return new Envelope(senderName, recipientName, prekeyId, messageId, nowMillis, sealed.encapsulatedKey(),
                sealed.ciphertext(), signature);
    }

    /**
     * Opens an envelope addressed to {@code recipientName}, from the sender whose identity key the caller
     * has pinned for {@link Envelope#sender()}, with whichever of {@code prekeys} it was sealed to. Checks in
     * this order, so that nothing unauthenticated changes any state: the recipient name, the replay cache
     * (looking only), the signature, the prekey, the decryption; only then is the id recorded.
     *
     * @throws OpenFailure saying why it did not open
     */
    public static Opened open(Envelope envelope, String recipientName, IdentityPublicKey senderKey,
            Collection<PrekeyPair> prekeys, ReplayCache replays, long nowMillis) throws OpenFailure {
        if (!envelope.recipient().equals(recipientName)) {
            throw new OpenFailure(Failure.NOT_FOR_US);
        }
        ReplayCache.Verdict verdict = replays.check(envelope.messageId(), envelope.timeMillis(), nowMillis);
        failIfNotFresh(verdict);
        byte[] info = info(envelope.sender(), envelope.recipient(), senderKey, envelope.recipientPrekeyId());
        byte[] aad = associatedData(envelope.messageId(), envelope.timeMillis());
        if (!senderKey.verify(signedMessage(envelope.encapsulatedKey(), envelope.ciphertext(), aad, info), envelope.signature())) {
            throw new OpenFailure(Failure.BAD_SIGNATURE);
        }
        PrekeyPair prekey = prekeys.stream().filter(p -> p.id() == envelope.recipientPrekeyId()).findFirst()
                .orElseThrow(() -> new OpenFailure(Failure.UNKNOWN_PREKEY));
        byte[] plaintext;
        try {
            plaintext = Hpke.open(prekey, envelope.encapsulatedKey(), info, aad, envelope.ciphertext());
        } catch (CryptoFailure e) {
            throw new OpenFailure(Failure.UNDECRYPTABLE);
        }
        failIfNotFresh(replays.record(envelope.messageId(), envelope.timeMillis(), nowMillis));
        return new Opened(envelope.sender(), envelope.recipient(), envelope.messageId().clone(), envelope.timeMillis(), plaintext);
    }

    private static void failIfNotFresh(ReplayCache.Verdict verdict) throws OpenFailure {
        switch (verdict) {
            case FRESH -> { }
            case REPLAYED -> throw new OpenFailure(Failure.REPLAYED);
            case TOO_OLD, FROM_THE_FUTURE -> throw new OpenFailure(Failure.OUT_OF_WINDOW);
        }
    }

    /** HPKE's info: the label, both names, the sender's identity key id and the recipient's prekey id. */
    public static byte[] info(String senderName, String recipientName, IdentityPublicKey senderKey, int recipientPrekeyId) {
        byte[] sender = E2eCodec.nameBytes(senderName);
        byte[] recipient = E2eCodec.nameBytes(recipientName);
        return ByteBuffer.allocate(INFO_LABEL_BYTES.length + 1 + sender.length + 1 + recipient.length
                + IdentityPublicKey.KEY_ID_LENGTH + 4)
                .put(INFO_LABEL_BYTES).put((byte) sender.length).put(sender).put((byte) recipient.length).put(recipient)
                .put(senderKey.keyId()).putInt(recipientPrekeyId).array();
    }

    /** The AEAD's associated data: the message id and the time. */
    public static byte[] associatedData(byte[] messageId, long timeMillis) {
        if (messageId.length != Envelope.MESSAGE_ID_LENGTH) {
            throw new IllegalArgumentException("a message id is 16 bytes");
        }
        return ByteBuffer.allocate(Envelope.MESSAGE_ID_LENGTH + 8).put(messageId).putLong(timeMillis).array();
    }

    /** What the sender signs: the label, enc, the ciphertext with its length, the associated data, the info. */
    public static byte[] signedMessage(byte[] encapsulatedKey, byte[] ciphertext, byte[] associatedData, byte[] info) {
        return ByteBuffer.allocate(SIGNATURE_LABEL_BYTES.length + encapsulatedKey.length + 4 + ciphertext.length
                + associatedData.length + info.length)
                .put(SIGNATURE_LABEL_BYTES).put(encapsulatedKey).putInt(ciphertext.length).put(ciphertext)
                .put(associatedData).put(info).array();
    }
}
