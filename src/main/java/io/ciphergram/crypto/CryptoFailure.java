package io.ciphergram.crypto;

/**
 * The one failure every open/unwrap operation reports, whatever went wrong inside (length, padding,
 * character encoding, a wrong key): callers cannot tell the causes apart, so neither can a peer. No
 * message detail and no cause are kept, so nothing secret can end up in a log through it.
 */
public final class CryptoFailure extends Exception {

    private static final long serialVersionUID = 1L;

    public CryptoFailure() {
        super("cannot decrypt", null, false, false);
    }
}
