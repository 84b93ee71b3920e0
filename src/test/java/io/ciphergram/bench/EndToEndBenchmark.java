package io.ciphergram.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
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

import io.ciphergram.crypto.IdentityKeyPair;
import io.ciphergram.crypto.PrekeyPair;
import io.ciphergram.protocol.e2e.E2eCodec;
import io.ciphergram.protocol.e2e.EndToEnd;
import io.ciphergram.protocol.e2e.Envelope;
import io.ciphergram.protocol.e2e.KeyBundle;
import io.ciphergram.protocol.e2e.ReplayCache;

/**
 * What an end-to-end private message costs its two clients (the relay only passes the envelope on):
 * sealing a 100-byte text to a bundle (HPKE with X25519, AES-128-GCM, an Ed25519 signature) and opening it
 * (signature check, HPKE open). Compare with {@code DeliveryBenchmark.v2Line}, one line through the v2
 * record layer, in the same run (docs/BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EndToEndBenchmark {

    private static final byte[] TEXT = "RUN CLIENT 123456 987654321 a typical chat line of about a hundred bytes, padded to it!!"
            .getBytes(StandardCharsets.UTF_8);

    private final SecureRandom random = new SecureRandom();
    private IdentityKeyPair alice;
    private IdentityKeyPair bob;
    private PrekeyPair bobsPrekey;
    private KeyBundle bobsBundle;
    private Envelope sealed;
    private long now;

    @Setup
    public void setUp() {
        now = System.currentTimeMillis();
        alice = IdentityKeyPair.generate(random);
        bob = IdentityKeyPair.generate(random);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        bobsPrekey = PrekeyPair.restore(bob, 1, now, secret);
        bobsBundle = new KeyBundle(bob.publicKey(), bobsPrekey.signedPrekey());
        sealed = EndToEnd.seal(alice, "alice", "bob", bobsBundle, TEXT, now, random);
    }

    @Benchmark
    public byte[] sealToABundle() {
        return E2eCodec.encode(EndToEnd.seal(alice, "alice", "bob", bobsBundle, TEXT, now, random));
    }

    @Benchmark
    public String openFromAPinnedSender() throws EndToEnd.OpenFailure {
        return EndToEnd.open(sealed, "bob", alice.publicKey(), List.of(bobsPrekey), ReplayCache.withDefaults(), now).text();
    }

    /** The envelope's size for a 100-byte text, for the record (it is returned so that JMH keeps it). */
    @Benchmark
    public int envelopeBytes() {
        return E2eCodec.encode(sealed).length;
    }
}
