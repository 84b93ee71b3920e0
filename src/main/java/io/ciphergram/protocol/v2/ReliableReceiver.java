package io.ciphergram.protocol.v2;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One direction's inbound message pipeline: Data frames go through the {@link ReceiveWindow} (dedupe,
 * reorder) and then the {@link Reassembler}, so the application gets each message once, whole and in the
 * order it was sent. The caller sends whatever {@link #pollAck} returns, no later than {@link #nextWakeNanos}.
 * Pure and not thread-safe.
 */
public final class ReliableReceiver {

    private final ReceiveWindow window;
    private final Reassembler reassembler;

    public ReliableReceiver() {
        this(new ReceiveWindow(), new Reassembler());
    }

    public ReliableReceiver(ReceiveWindow window, Reassembler reassembler) {
        this.window = window;
        this.reassembler = reassembler;
    }

    /** Takes one Data frame; returns the messages it completed, in order (usually none or one). */
    public List<byte[]> onData(ReliableFrame.Data data, long nowNanos) {
        ReceiveWindow.Receipt receipt = window.receive(data, nowNanos);
        List<byte[]> messages = new ArrayList<>();
        for (ReliableFrame.Data released : receipt.released()) {
            reassembler.accept(released.fragment()).message().ifPresent(messages::add);
        }
        return messages;
    }

    /** The Ack to send now, if one is due. */
    public Optional<ReliableFrame.Ack> pollAck(long nowNanos) {
        return window.pollAck(nowNanos);
    }

    /** When an Ack falls due; Long.MAX_VALUE when none is pending. */
    public long nextWakeNanos() {
        return window.ackDueAtNanos();
    }

    public ReceiveWindow window() {
        return window;
    }

    public Reassembler reassembler() {
        return reassembler;
    }
}
