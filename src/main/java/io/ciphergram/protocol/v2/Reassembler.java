package io.ciphergram.protocol.v2;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Puts fragments back into messages, within a per-session memory bound. Fragments may come in any order and
 * messages may interleave; a duplicate fragment of an incomplete message changes nothing. Exactly-once
 * delivery across completed messages is the {@link ReceiveWindow}'s job (it never passes a sequence twice):
 * this class forgets a message once it is complete.
 *
 * <p>Every fragment but a message's last must carry exactly {@code fragmentPayload} bytes, as the
 * {@link Fragmenter} makes them, so a message's size is known from its last fragment and cannot exceed
 * {@code maxMessage}. When incomplete messages would hold more than {@code maxBytes} payload bytes
 * (at least one whole message), or more than {@code maxIncomplete} messages, the oldest other incomplete
 * messages are evicted and counted (an honest sender has only one at a time, so this only hurts a peer
 * that breaks the protocol). Pure and not thread-safe.
 */
public final class Reassembler {

    /** What became of one fragment. */
    public enum Outcome {
        /** It completed its message. */
        COMPLETED,
        /** Stored; its message still lacks fragments. */
        STORED,
        /** Already held: nothing changed. */
        DUPLICATE,
        /** Its count disagrees with earlier fragments of the same message. */
        REJECTED_INCONSISTENT_COUNT,
        /** Wrong size for its place, or its message would exceed the maximum message size. */
        REJECTED_BAD_SIZE
    }

    /** The outcome and, when {@link Outcome#COMPLETED}, the message. */
    public record Result(Outcome outcome, Optional<byte[]> message) {

        static Result of(Outcome outcome) {
            return new Result(outcome, Optional.empty());
        }
    }

    private final int fragmentPayload;
    private final int maxMessage;
    private final int maxBytes;
    private final int maxIncomplete;
    private final Map<Long, Partial> incomplete = new LinkedHashMap<>();
    private long heldBytes;
    private final ReliableEvents events;

    public Reassembler() {
        this(ReliableEvents.NONE);
    }

    public Reassembler(ReliableEvents events) {
        this(V2Constants.MAX_FRAGMENT_PAYLOAD, V2Constants.MAX_MESSAGE,
                V2Constants.MAX_REASSEMBLY_BYTES, V2Constants.MAX_INCOMPLETE_MESSAGES, events);
    }

    public Reassembler(int fragmentPayload, int maxMessage, int maxBytes, int maxIncomplete, ReliableEvents events) {
        if (fragmentPayload < 1 || maxBytes < maxMessage || maxIncomplete < 1) {
            throw new IllegalArgumentException("the bound must hold at least one whole message");
        }
        this.fragmentPayload = fragmentPayload;
        this.maxMessage = maxMessage;
        this.maxBytes = maxBytes;
        this.maxIncomplete = maxIncomplete;
        this.events = events;
    }

    public Result accept(Fragment fragment) {
        int count = fragment.count();
        int index = fragment.index();
        int length = fragment.payload().length;
        if (count < 1 || index < 0 || index >= count || !sizeFits(index, count, length)) {
            events.on(ReliableEvents.Event.FRAGMENT_REJECTED);
            return Result.of(Outcome.REJECTED_BAD_SIZE);
        }
        if (count == 1) {
            // a complete message on its own: never held, so no bound applies (and no stale partial to clash)
            return completedOrInconsistent(fragment);
        }
        Partial partial = incomplete.get(fragment.messageId());
        if (partial == null) {
            makeRoom(fragment.messageId(), length, true);
            partial = new Partial(count);
            incomplete.put(fragment.messageId(), partial);
        } else if (partial.fragments.length != count) {
            events.on(ReliableEvents.Event.FRAGMENT_REJECTED);
            return Result.of(Outcome.REJECTED_INCONSISTENT_COUNT);
        } else if (partial.fragments[index] != null) {
            return Result.of(Outcome.DUPLICATE);
        } else {
            makeRoom(fragment.messageId(), length, false);
        }
        partial.fragments[index] = fragment.payload();
        partial.received++;
        partial.bytes += length;
        heldBytes += length;
        if (partial.received < count) {
            return Result.of(Outcome.STORED);
        }
        incomplete.remove(fragment.messageId());
        heldBytes -= partial.bytes;
        byte[] message = new byte[partial.bytes];
        int at = 0;
        for (byte[] piece : partial.fragments) {
            System.arraycopy(piece, 0, message, at, piece.length);
            at += piece.length;
        }
        return new Result(Outcome.COMPLETED, Optional.of(message));
    }

    /** Payload bytes held in incomplete messages. */
    public long heldBytes() {
        return heldBytes;
    }

    public int incompleteMessages() {
        return incomplete.size();
    }



    private Result completedOrInconsistent(Fragment fragment) {
        if (incomplete.containsKey(fragment.messageId())) {
            events.on(ReliableEvents.Event.FRAGMENT_REJECTED);
            return Result.of(Outcome.REJECTED_INCONSISTENT_COUNT);
        }
        return new Result(Outcome.COMPLETED, Optional.of(fragment.payload()));
    }

    private boolean sizeFits(int index, int count, int length) {
        long before = (long) (count - 1) * fragmentPayload;
        if (before + (count > 1 ? 1 : 0) > maxMessage) {
            return false; // even the smallest last fragment would make the message too long
        }
        if (index < count - 1) {
            return length == fragmentPayload;
        }
        return length <= fragmentPayload && before + length <= maxMessage && (count == 1 || length > 0);
    }

    /** Evicts the oldest incomplete messages other than {@code messageId} until the fragment fits. */
    private void makeRoom(long messageId, int length, boolean startsMessage) {
        Iterator<Map.Entry<Long, Partial>> oldestFirst = incomplete.entrySet().iterator();
        while (oldestFirst.hasNext()
                && (heldBytes + length > maxBytes || (startsMessage && incomplete.size() >= maxIncomplete))) {
            Map.Entry<Long, Partial> entry = oldestFirst.next();
            if (entry.getKey() == messageId) {
                continue;
            }
            oldestFirst.remove();
            heldBytes -= entry.getValue().bytes;
            events.on(ReliableEvents.Event.MESSAGE_EVICTED);
        }
    }

    private static final class Partial {
        final byte[][] fragments;
        int received;
        int bytes;

        Partial(int count) {
            this.fragments = new byte[count][];
        }
    }
}
