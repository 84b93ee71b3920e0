package io.ciphergram.protocol.v2;

import java.util.Arrays;

/** Fragment {@code index} of {@code count} of message {@code messageId}, before it has a sequence number. */
public record Fragment(long messageId, int index, int count, byte[] payload) {

    @Override
    public boolean equals(Object o) {
        return o instanceof Fragment f && f.messageId == messageId && f.index == index && f.count == count
                && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(messageId) * 31 + index) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Fragment[msg=" + messageId + ", " + index + "/" + count + ", " + payload.length + " bytes]";
    }
}
