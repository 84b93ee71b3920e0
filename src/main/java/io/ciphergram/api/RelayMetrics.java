package io.ciphergram.api;

import jakarta.inject.Singleton;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.relay.Engine;
import io.ciphergram.relay.Counters;
import io.ciphergram.session.MemoryBudget;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds the relay's counters to Micrometer; served at /q/metrics in Prometheus format. It reads only what
 * is safe off the relay thread: the counters and the registry's published live count.
 */
@Singleton
public class RelayMetrics implements MeterBinder {

    private final Engine engine;

    public RelayMetrics(Engine engine) {
        this.engine = engine;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Counters counters = engine.counters();
        FunctionCounter.builder("ciphergram.datagrams.received", counters, Counters::receivedCount)
                .description("Datagrams received on every transport").register(registry);
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder("ciphergram.datagrams.dropped", counters, c -> c.droppedCount(reason))
                    .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Datagrams dropped, by reason").register(registry);
        }
        FunctionCounter.builder("ciphergram.messages.relayed", counters, Counters::relayedCount)
                .description("Chat messages delivered, counted once per recipient").register(registry);
        FunctionCounter.builder("ciphergram.messages.refused", counters, Counters::refusedCount)
                .description("Messages refused with an error notice to their sender").register(registry);
        FunctionCounter.builder("ciphergram.datagrams.send.failed", counters, Counters::sendFailedCount)
                .description("Datagrams the transport could not send").register(registry);
        FunctionCounter.builder("ciphergram.datagrams.withheld", counters, Counters::withheldCount)
                .description("Datagrams not sent to addresses that have not proven themselves, to keep within"
                        + " what their source sent").register(registry);
        Gauge.builder("ciphergram.sessions", engine.sessions(), s -> s.liveCount())
                .description("Live sessions and half-open handshakes").register(registry);
        MemoryBudget v2Memory = engine.sessions().v2Memory();
        Gauge.builder("ciphergram.v2.memory.used", v2Memory, MemoryBudget::used).baseUnit("bytes")
                .description("Bytes v2 sessions hold in queues, unacknowledged fragments and reassembly").register(registry);
        FunctionCounter.builder("ciphergram.v2.memory.refusals", v2Memory, MemoryBudget::refusals)
                .description("Messages and fragments refused because the v2 memory budget was spent").register(registry);
    }
}
