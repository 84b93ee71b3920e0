package io.ciphergram.store;

/**
 * An end-to-end envelope kept for an offline recipient, exactly as its sender sealed it: the relay cannot
 * read it.
 *
 * @param sequence its place in the recipient's mailbox, increasing (deliveries are acknowledged up to one)
 * @param recipient the recipient's name, canonical
 * @param sender the sender's name as the relay knew it (the envelope's signature says who really sent it)
 * @param envelope the envelope bytes (docs/PROTOCOL.md, "End-to-end messages")
 * @param storedAtMillis when it was deposited
 */
public record StoredMessage(long sequence, String recipient, String sender, byte[] envelope, long storedAtMillis) {

    public StoredMessage {
        envelope = envelope.clone();
    }

    @Override
    public byte[] envelope() {
        return envelope.clone();
    }

    /** By value, the envelope's bytes included: a message read back from a disk or Redis equals the one kept. */
    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessage m && sequence == m.sequence && storedAtMillis == m.storedAtMillis
                && recipient.equals(m.recipient) && sender.equals(m.sender) && java.util.Arrays.equals(envelope, m.envelope);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence) * 31 + recipient.hashCode();
    }

    @Override
    public String toString() {
        return "StoredMessage[" + sequence + " for " + recipient + " from " + sender + ", " + envelope.length + " bytes]";
    }
}
