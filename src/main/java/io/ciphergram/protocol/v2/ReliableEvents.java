package io.ciphergram.protocol.v2;

/**
 * What the reliable layer saw that says something about the path or the peer, for an operator to count
 * (the server turns them into {@code ciphergram_v2_reliable_events_total}); a client ignores them. Called by
 * the one thread that owns the channel.
 */
@FunctionalInterface
public interface ReliableEvents {

    enum Event {
        /** A fragment was sent again (its timer ran out, or fast retransmit). */
        RETRANSMITTED,
        /** A fragment arrived that had already arrived (a retransmission whose ack was lost, or a copy). */
        DUPLICATE,
        /** A fragment arrived too far ahead for the receive window (an honest sender never sends one). */
        BEYOND_WINDOW,
        /** An incomplete message was dropped to stay within the reassembly bound (only a peer breaking the protocol). */
        MESSAGE_EVICTED,
        /** A fragment of a wrong size for its place, or whose count disagrees with its message's. */
        FRAGMENT_REJECTED
    }

    void on(Event event);

    /** Counts nothing. */
    ReliableEvents NONE = event -> { };
}
