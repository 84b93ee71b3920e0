package io.ciphergram.crypto;

import java.nio.charset.StandardCharsets;

/** Signal's vector uses its own 33-byte keys, which {@link SafetyNumber#of} does not take: the halves, for tests. */
public final class SignalVector {

    private SignalVector() {
    }

    public static String digits(byte[] aliceKey, String aliceId, byte[] bobKey, String bobId) {
        return SafetyNumber.combine(SafetyNumber.half(aliceKey, aliceId.getBytes(StandardCharsets.UTF_8), SafetyNumber.ITERATIONS),
                SafetyNumber.half(bobKey, bobId.getBytes(StandardCharsets.UTF_8), SafetyNumber.ITERATIONS)).digits();
    }
}
