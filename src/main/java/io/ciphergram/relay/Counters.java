package io.ciphergram.relay;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.v2.ReliableEvents;

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
    private final LongAdder queueRefusals = new LongAdder();
    private final LongAdder givenUp = new LongAdder();
    private final Map<ReliableEvents.Event, LongAdder> reliable = new EnumMap<>(ReliableEvents.Event.class);
    private final LongAdder withheld = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final Map<String, LongAdder> handshakesCompleted = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> handshakesFailed = new ConcurrentHashMap<>();
    private volatile LongConsumer relayLatency = nanos -> { };

    public Counters() {
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, new LongAdder());
        }
        for (ReliableEvents.Event event : ReliableEvents.Event.values()) {
            reliable.put(event, new LongAdder());
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

    /** A line a v2 recipient's queue (or the v2 memory budget) could not take. */
    public void queueRefused() {
        queueRefusals.increment();
    }

    /** A session given up: its peer stopped acknowledging, or its queue stayed full. */
    public void givenUp() {
        givenUp.increment();
    }

    /** Something the v2 reliable layer saw (a retransmission, a duplicate...). */
    public void reliable(ReliableEvents.Event event) {
        reliable.get(event).increment();
    }

    public long reliableCount(ReliableEvents.Event event) {
        return reliable.get(event).sum();
    }

    public long queueRefusedCount() {
        return queueRefusals.sum();
    }

    public long givenUpCount() {
        return givenUp.sum();
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

    /** Payload bytes a transport received (every datagram or frame, dropped or not). */
    public void bytesIn(int bytes) {
        bytesIn.add(bytes);
    }

    /** Payload bytes a transport sent. */
    public void bytesOut(int bytes) {
        bytesOut.add(bytes);
    }

    public long bytesInCount() {
        return bytesIn.sum();
    }

    public long bytesOutCount() {
        return bytesOut.sum();
    }

    /** A handshake became a session of {@code profile} ({@code classic}, {@code classic-guest}, {@code v2}). */
    public void handshakeCompleted(String profile) {
        handshakesCompleted.computeIfAbsent(profile, p -> new LongAdder()).increment();
    }

    /** A v2 handshake that showed a valid cookie produced no session (bad key, no room, crypto failure). */
    public void handshakeFailed(String profile) {
        handshakesFailed.computeIfAbsent(profile, p -> new LongAdder()).increment();
    }

    public long handshakesCompletedCount(String profile) {
        LongAdder n = handshakesCompleted.get(profile);
        return n == null ? 0 : n.sum();
    }

    public long handshakesFailedCount(String profile) {
        LongAdder n = handshakesFailed.get(profile);
        return n == null ? 0 : n.sum();
    }

    /** Where the time from receiving a line to handing its last copy to a transport goes (the metrics). */
    public void relayLatencyTo(LongConsumer recorder) {
        this.relayLatency = recorder;
    }

    void relayLatency(long nanos) {
        relayLatency.accept(nanos);
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
