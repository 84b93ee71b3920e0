package io.ciphergram.store;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Sealed private messages for bound names whose owner is offline, kept until delivered, in order, or
 * until they expire. Each mailbox is bounded by the {@link StorePolicy} the store was opened with
 * ({@code maxMessages}, {@code maxAge}): a deposit into a full mailbox is refused, never an older message
 * dropped for it, so the sender learns that it was not stored. Only a name that is bound has a mailbox; it
 * goes when the name is released or expires. Names are keyed by their canonical form, as in
 * {@link NameBindings}.
 */
public interface Mailboxes {

    /**
     * Result of a deposit: kept; refused because the mailbox is full; refused because {@code recipient} is not
     * a bound name (only a bound name has a mailbox, so that a released name's mailbox cannot come back).
     */
    enum Deposit { STORED, FULL, UNBOUND }

    CompletionStage<Deposit> deposit(String recipient, String sender, byte[] envelope, long nowMillis);

    /** The oldest {@code max} messages of {@code recipient}'s mailbox, oldest first. */
    CompletionStage<List<StoredMessage>> peek(String recipient, int max);

    /** They were delivered: removes every message of {@code recipient} up to and including {@code sequence}. */
    CompletionStage<Void> acknowledge(String recipient, long sequence);

    /** Messages waiting for {@code recipient}. */
    CompletionStage<Integer> count(String recipient);

    /** Removes every message stored before {@code cutoffMillis}; returns how many. */
    CompletionStage<Integer> expireOlderThan(long cutoffMillis);
}
