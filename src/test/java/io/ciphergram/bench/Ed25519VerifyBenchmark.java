package io.ciphergram.bench;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.math.ec.rfc8032.Ed25519;
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
import io.ciphergram.protocol.e2e.E2eCodec;
import io.ciphergram.protocol.e2e.E2eFormatException;
import io.ciphergram.protocol.e2e.IdentityProof;

/**
 * The relay's one new hot-ish operation with identities: the Ed25519 verify of the identity proof at each
 * v2 handshake (a 32-byte hash under a 32-byte raw key that arrives in the KeyOffer). The JDK's provider
 * (SunEC) against Bouncy Castle's {@code rfc8032.Ed25519}, each from the raw key bytes as the server gets
 * them, so decoding the key is included; and the whole check as the server will run it on a handshake
 * worker (decode the KeyOffer's identity extension, which validates the key fully, hash, verify). Read as
 * ratios to {@code jdk}, from one run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Ed25519VerifyBenchmark {

    /** SubjectPublicKeyInfo DER for Ed25519 is this fixed prefix then the 32 key bytes (RFC 8410 section 4). */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private byte[] rawPublicKey;
    private byte[] hash;
    private byte[] signature;
    private Signature jdkVerifier;
    private byte[] keyOffer;
    private byte[] cookie;
    private byte[] clientNonce;
    private byte[] clientKey;

    @Setup
    public void setUp() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        KeyPair pair = generator.generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        rawPublicKey = Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
        hash = MessageDigest.getInstance("SHA-256").digest("a transcript".getBytes());
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(hash);
        signature = signer.sign();
        jdkVerifier = Signature.getInstance("Ed25519");
        SecureRandom random = new SecureRandom();
        IdentityKeyPair identity = IdentityKeyPair.generate(random);
        cookie = new byte[16];
        clientNonce = new byte[32];
        clientKey = new byte[294];
        random.nextBytes(cookie);
        random.nextBytes(clientNonce);
        random.nextBytes(clientKey);
        keyOffer = new byte[1200];
        byte[] extension = E2eCodec.encode(IdentityProof.sign(identity, cookie, clientNonce, clientKey, "alice"));
        System.arraycopy(extension, 0, keyOffer, 400, extension.length);
        if (!jdk() || !bouncyCastle() || !identityProofAsTheServerRunsIt()) {
            throw new IllegalStateException("the signature must verify under both");
        }
    }

    @Benchmark
    public boolean jdk() throws GeneralSecurityException {
        byte[] spki = new byte[SPKI_PREFIX.length + rawPublicKey.length];
        System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
        System.arraycopy(rawPublicKey, 0, spki, SPKI_PREFIX.length, rawPublicKey.length);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        jdkVerifier.initVerify(key);
        jdkVerifier.update(hash);
        return jdkVerifier.verify(signature);
    }

    @Benchmark
    public boolean identityProofAsTheServerRunsIt() {
        try {
            return IdentityProof.verify(E2eCodec.decodeIdentityExtension(keyOffer, 400), cookie, clientNonce, clientKey, "alice");
        } catch (E2eFormatException e) {
            return false;
        }
    }

    @Benchmark
    public boolean bouncyCastle() {
        return Ed25519.verify(signature, 0, rawPublicKey, 0, hash, 0, hash.length);
    }
}
