package io.ciphergram.protocol.v2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a message into fragments of {@code fragmentPayload} bytes, the last one shorter (an empty message is
 * one empty fragment). Assigns message ids in order from 0 and never reuses one. Pure and not thread-safe.
 */
public final class Fragmenter {

    private final int fragmentPayload;
    private final int maxMessage;
    private long nextMessageId;

    public Fragmenter() {
        this(V2Constants.MAX_FRAGMENT_PAYLOAD, V2Constants.MAX_MESSAGE);
    }

    public Fragmenter(int fragmentPayload, int maxMessage) {
        if (fragmentPayload < 1 || maxMessage < 0) {
            throw new IllegalArgumentException("fragment payload must be positive");
        }
        this.fragmentPayload = fragmentPayload;
        this.maxMessage = maxMessage;
    }

    /** How many fragments a message of {@code length} bytes becomes. */
    public int fragmentCount(int length) {
        return Math.max(1, (length + fragmentPayload - 1) / fragmentPayload);
    }

    /** Fragments of {@code message}, in order, under the next message id. */
    public List<Fragment> split(byte[] message) {
        if (message.length > maxMessage) {
            throw new IllegalArgumentException("message of " + message.length + " bytes exceeds " + maxMessage);
        }
        if (nextMessageId > V2Constants.MAX_MESSAGE_ID) {
            throw new IllegalStateException("message ids exhausted; start a new session");
        }
        long id = nextMessageId++;
        int count = fragmentCount(message.length);
        List<Fragment> fragments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * fragmentPayload;
            int to = Math.min(message.length, from + fragmentPayload);
            fragments.add(new Fragment(id, i, count, Arrays.copyOfRange(message, from, to)));
        }
        return fragments;
    }
}
