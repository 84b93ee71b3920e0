package io.ciphergram.protocol;

/** Bytes a codec rejects: they are not a frame (or not now), with the reason they are counted under. */
public final class FrameException extends Dropped {

    private static final long serialVersionUID = 1L;

    public FrameException(DropReason reason) {
        super(reason);
    }
}
