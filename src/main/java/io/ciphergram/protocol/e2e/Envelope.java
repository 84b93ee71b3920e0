package io.ciphergram.protocol.e2e;

/**
 * An end-to-end private message as it travels: what the relay routes and stores, and cannot read or forge
 * (docs/PROTOCOL.md, "End-to-end messages"). {@link EndToEnd#seal} makes one, {@link EndToEnd#open} opens
 * one, {@link E2eCodec} turns it into bytes and back. Arrays are held as given; the codec copies.
 *
 * @param sender the sender's name, as bound in the HPKE info and signed
 * @param recipient the recipient's name
 * @param recipientPrekeyId the id of the recipient's prekey it is sealed to (a u32 in an int's bits)
 * @param messageId 16 random bytes, the replay cache's key
 * @param timeMillis the sender's clock when sealing, ms since the epoch
 * @param encapsulatedKey HPKE's enc: the sender's ephemeral X25519 public key
 * @param ciphertext the AES-128-GCM ciphertext and tag
 * @param signature the sender's Ed25519 signature ({@link EndToEnd#signedMessage})
 */
public record Envelope(String sender, String recipient, int recipientPrekeyId, byte[] messageId, long timeMillis,
        byte[] encapsulatedKey, byte[] ciphertext, byte[] signature) {

    /** The only version: its layout and labels are those of docs/PROTOCOL.md. */
    public static final int VERSION = 1;
    public static final int MESSAGE_ID_LENGTH = 16;

    @Override
    public String toString() {
        return "Envelope[" + sender + " -> " + recipient + ", prekey " + Integer.toUnsignedString(recipientPrekeyId)
                + ", " + ciphertext.length + " bytes sealed]";
    }
}
