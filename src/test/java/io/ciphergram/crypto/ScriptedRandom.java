package io.ciphergram.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A SecureRandom that hands out given bytes in order, so that a sealing draws a documented message id and
 * ephemeral key (the RFC 9180 and docs/PROTOCOL.md vectors); it fails once they are used up.
 */
public final class ScriptedRandom extends SecureRandom {

    private static final long serialVersionUID = 1L;
    private final byte[] script;
    private int at;

    public ScriptedRandom(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        script = new byte[length];
        int offset = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, script, offset, p.length);
            offset += p.length;
        }
    }

    @Override
    public void nextBytes(byte[] bytes) {
        if (at + bytes.length > script.length) {
            throw new IllegalStateException("the script has no more bytes");
        }
        System.arraycopy(script, at, bytes, 0, bytes.length);
        at += bytes.length;
    }

    public boolean exhausted() {
        return at == script.length;
    }
}
