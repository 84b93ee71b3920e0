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
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.session.SentBlocks;

/**
 * The pieces of a classic delivery one at a time, each against what it replaced where that is the point
 * (docs/BENCHMARKS.md reads them as ratios): sealing under the same recipients' keys again (the per-thread
 * cache keeps their key schedules) against sealing under more keys than the cache holds (a new key
 * schedule every time, as before); an IV from the AES-CTR generator against one from the platform's
 * SecureRandom; the reflection guard's record and check; base64 both ways.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {

    private static final byte[] LINE =
            "alice: a typical chat line of about a hundred bytes, as the load generator sends them, padded..!"
                    .getBytes(StandardCharsets.UTF_8);

    private final SecureRandom random = new SecureRandom();
    private ClassicMessageCipher cipher;
    private SessionKey[] roomKeys;
    private SessionKey[] manyKeys;
    private int next;
    private byte[] sealed;
    private byte[] datagram;
    private SentBlocks sentBlocks;
    private byte[] iv = new byte[16];

    @Setup
    public void setUp() {
        cipher = new ClassicMessageCipher(random);
        roomKeys = keys(9);
        manyKeys = keys(1000); // more than the per-thread cache's 256
        sealed = cipher.seal(roomKeys[0], LINE);
        datagram = ClassicCodec.encode(new ClassicFrame.Sealed(sealed));
        sentBlocks = new SentBlocks(4096);
        for (int i = 0; i < 10_000; i++) {
            sentBlocks.record(cipher.seal(roomKeys[i % 9], LINE));
        }
    }

    private SessionKey[] keys(int n) {
        SessionKey[] keys = new SessionKey[n];
        for (int i = 0; i < n; i++) {
            keys[i] = SessionKey.random(random);
        }
        return keys;
    }

    @Benchmark
    public byte[] sealForTheRoom() {
        next = next == 8 ? 0 : next + 1;
        return cipher.seal(roomKeys[next], LINE);
    }

    @Benchmark
    public byte[] sealUnderAnotherKeyEachTime() {
        next = next == 999 ? 0 : next + 1;
        return cipher.seal(manyKeys[next], LINE);
    }

    @Benchmark
    public byte[] ivFromSecureRandom() {
        random.nextBytes(iv);
        return iv;
    }

    @Benchmark
    public byte[] open() throws CryptoFailure {
        return cipher.open(roomKeys[0], sealed);
    }

    @Benchmark
    public SentBlocks reflectionGuardRecord() {
        sentBlocks.record(sealed);
        return sentBlocks;
    }

    @Benchmark
    public boolean reflectionGuardCheck() {
        return sentBlocks.containsAnyOf(sealed);
    }

    @Benchmark
    public byte[] base64Encode() {
        return ClassicCodec.encode(new ClassicFrame.Sealed(sealed));
    }

    @Benchmark
    public ClassicFrame base64Decode() throws FrameException {
        return ClassicCodec.decodeFromClient(datagram, ClassicCodec.ClientExpects.MESSAGE);
    }
}
