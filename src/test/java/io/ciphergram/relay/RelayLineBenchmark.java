package io.ciphergram.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.ciphergram.protocol.PeerId;
import io.ciphergram.testing.Peers;

/**
 * One classic chat line through the relay, as the relay thread does it: decode, flood gate, reflection
 * check, open, then for each of the other members the room's line sealed under its key, its blocks
 * remembered, base64, handed to the transport's egress (which here counts and discards, so the socket's
 * cost is not in the figure; the load generator measures the whole). Lives beside the engine's tests to
 * use their fixture (docs/BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RelayLineBenchmark {

    @Param({"10"})
    public int members;

    private RelayFixture fixture;
    private ClassicClient sender;
    private byte[] line;
    private long handed;

    @Setup
    public void setUp() {
        fixture = new RelayFixture(1000, 0, 1, null, 1_000_000_000L); // flood control off, as the load runs
        List<ClassicClient> room = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            room.add(new ClassicClient(fixture, Peers.udp("10.0.0." + (i + 1), 4000)).joinRoom("member" + i));
        }
        fixture.relay.attach(PeerId.UDP, (to, datagram) -> handed += datagram.length);
        sender = room.get(0);
        line = sender.sealed("RUN CLIENT 123456 987654321 a typical chat line of about a hundred bytes, padded to it!!");
    }

    @Benchmark
    public long classicLineToTheRoom() {
        fixture.relay.onDatagram(sender.peer, line);
        return handed;
    }
}
