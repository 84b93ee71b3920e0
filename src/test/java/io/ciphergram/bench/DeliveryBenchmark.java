package io.ciphergram.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * What one chat line costs to deliver to one recipient, both ends included: classic (seal, base64, decode,
 * open) against v2 (reliable layer, AEAD record, the receiver's open, and its ack back). The classic
 * figure is the baseline: read the v2 one as a ratio to it (docs/BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DeliveryBenchmark {

    private static final byte[] LINE =
            "alice: hello everyone, this is a typical chat line of about eighty bytes!!".getBytes(StandardCharsets.UTF_8);

    private SessionKey classicKey;
    private ClassicMessageCipher cbc;
    private SecureChannel server;
    private SecureChannel client;
    private long now;

    @Setup
    public void setUp() {
        SecureRandom random = new SecureRandom();
        classicKey = SessionKey.random(random);
        cbc = new ClassicMessageCipher(random);
        SessionSecret secret = SessionSecret.random(random);
        server = channel(SecureChannel.Role.SERVER, secret);
        client = channel(SecureChannel.Role.CLIENT, secret);
    }

    private static SecureChannel channel(SecureChannel.Role role, SessionSecret secret) {
        return new SecureChannel(role, 1, secret, new byte[32], TokenBucket.NO_LIMIT, Long.MAX_VALUE / 4,
                V2Constants.REKEY_AFTER_MESSAGES, Long.MAX_VALUE / 4, 0);
    }

    @Benchmark
    public byte[] classicLine() throws FrameException, CryptoFailure {
        byte[] datagram = ClassicCodec.encode(new ClassicFrame.Sealed(cbc.seal(classicKey, LINE)));
        ClassicFrame frame = ClassicCodec.decodeFromServer(datagram, ClassicCodec.ServerExpects.MESSAGE);
        return cbc.open(classicKey, ((ClassicFrame.Sealed) frame).ivAndCiphertext());
    }

    @Benchmark
    public int v2Line() throws FrameException {
        now += 1_000_000; // lines 1 ms apart, so the receiver's delayed ack comes due
        server.offer(LINE);
        int delivered = 0;
        for (byte[] datagram : server.poll(now)) {
            delivered += client.open((V2Frame.Data) V2Codec.decode(datagram), now).messages().size();
        }
        for (byte[] ack : client.poll(now)) {
            server.open((V2Frame.Data) V2Codec.decode(ack), now);
        }
        return delivered;
    }
}
