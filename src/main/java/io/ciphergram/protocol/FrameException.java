package io.ciphergram.protocol;

/** A datagram the codec rejects, with the reason it is counted under. Carries no datagram content. */
public final class FrameException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DropReason reason;

    public FrameException(DropReason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    public DropReason reason() {
        return reason;
    }
}
