package io.ciphergram.protocol.e2e;

/**
 * Bytes that are not an end-to-end structure (envelope, key bundle, identity extension) exactly as
 * docs/PROTOCOL.md lays it out. The message names the field, never its content.
 */
public final class E2eFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public E2eFormatException(String problem) {
        super(problem, null, false, false);
    }
}
