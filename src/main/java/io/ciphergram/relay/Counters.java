package io.ciphergram.relay;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import io.ciphergram.protocol.DropReason;

/**
 * What happened to every datagram, for the metrics endpoint: nothing a client sent is lost without being
 * counted here. Pure Java; {@code api.RelayMetrics} binds it to Micrometer.
 */
public final class Counters {

    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
    private final LongAdder received = new LongAdder();
    private final LongAdder relayed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final LongAdder withheld = new LongAdder();

    public Counters() {
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, new LongAdder());
        }
    }

    public void received() {
        received.increment();
    }

    public void dropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    /** A message delivered to one recipient. */
    public void relayed() {
        relayed.increment();
    }

    /** A message refused with an error notice to its sender (too long, unknown recipient …). */
    public void refused() {
        refused.increment();
    }

    /** A datagram the transport could not send. */
    public void sendFailed() {
        sendFailures.increment();
    }

    /**
     * A datagram not sent to an address that has not proven it receives there, because it would have
     * exceeded the bytes that came from that address.
     */
    public void withheld() {
        withheld.increment();
    }

    public long withheldCount() {
        return withheld.sum();
    }

    public long receivedCount() {
        return received.sum();
    }

    public long droppedCount(DropReason reason) {
        return dropped.get(reason).sum();
    }

    public long relayedCount() {
        return relayed.sum();
    }

    public long refusedCount() {
        return refused.sum();
    }

    public long sendFailedCount() {
        return sendFailures.sum();
    }
}
