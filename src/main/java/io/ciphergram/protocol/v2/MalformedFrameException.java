package io.ciphergram.protocol.v2;

/**
 * A reliable-layer payload {@link ReliableCodec} rejects. It opened under the session key, so it came from
 * the peer (or a bug): the caller counts the reason and drops the datagram. Carries no payload content.
 */
public final class MalformedFrameException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a frame was rejected. */
    public enum Reason {
        /** Zero bytes. */
        EMPTY,
        /** Longer than {@link ReliableConstants#MAX_RELIABLE_FRAME}. */
        OVERSIZE,
        /** First byte is no frame type this version knows. */
        UNKNOWN_TYPE,
        /** Ends before its header or a length it states. */
        TRUNCATED,
        /** Bytes after the end its lengths imply. */
        TRAILING_BYTES,
        /** Fragment count 0 or above {@link ReliableConstants#MAX_FRAGMENTS}, or index not below count. */
        BAD_FRAGMENT,
        /** Payload longer than {@link ReliableConstants#MAX_FRAGMENT_PAYLOAD}. */
        PAYLOAD_TOO_LARGE,
        /** More than {@link ReliableConstants#MAX_ACK_RANGES} selective ranges. */
        TOO_MANY_RANGES,
        /** A selective range with zero gap or length, or one past the sequence space. */
        BAD_RANGE
    }

    private final Reason reason;

    public MalformedFrameException(Reason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
