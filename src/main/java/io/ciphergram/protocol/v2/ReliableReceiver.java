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

    /**
     * Whether memory may be spent holding a fragment that does not complete a message at once (one that
     * arrived early, or part of a longer message). A refused fragment is dropped as if lost: not
     * acknowledged, so its sender sends it again later.
     */
    @FunctionalInterface
    public interface HoldGate {
        HoldGate ALWAYS = bytes -> true;

        boolean mayHold(int bytes);
    }

    private final ReceiveWindow window;
    private final Reassembler reassembler;
    private final HoldGate gate;

    public ReliableReceiver() {
        this(new ReceiveWindow(), new Reassembler(), HoldGate.ALWAYS);
    }

    public ReliableReceiver(HoldGate gate) {
        this(gate, ReliableEvents.NONE);
    }

    public ReliableReceiver(HoldGate gate, ReliableEvents events) {
        this(new ReceiveWindow(events), new Reassembler(events), gate);
    }

    public ReliableReceiver(ReceiveWindow window, Reassembler reassembler, HoldGate gate) {
        this.window = window;
        this.reassembler = reassembler;
        this.gate = gate;
    }

    /** Takes one Data frame; returns the messages it completed, in order (usually none or one). */
    public List<byte[]> onData(ReliableFrame.Data data, long nowNanos) {
        boolean held = data.sequence() != window.cumulative() || data.fragment().count() > 1;
        if (held && data.sequence() >= window.cumulative() && !gate.mayHold(data.fragment().payload().length)) {
            return List.of();
        }
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

    /** Bytes held: fragments that arrived early and incomplete messages. */
    public long heldBytes() {
        return window.bufferedBytes() + reassembler.heldBytes();
    }
}
