package io.ciphergram.protocol;

/**
 * A datagram that is not used, with the reason it is counted under: either its bytes are not a frame
 * ({@link FrameException}, from a codec) or the frame is refused (no room, over a rate, out of state).
 * Carries no datagram content, and no stack trace: it is the normal fate of bad input.
 */
public class Dropped extends Exception {

    private static final long serialVersionUID = 1L;

    private final DropReason reason;

    public Dropped(DropReason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    public DropReason reason() {
        return reason;
    }
}
