package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.testing.Peers;

/** The client handshake's state machine with its retries, against the real server handshake, in memory. */
class ClientHandshakeDriverTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    private static final long T0 = 1_000 * SECOND;
    private static final PeerId ALICE = Peers.udp("192.0.2.1", 40000);
    private static final V2Frame.Limits LIMITS = new V2Frame.Limits(10, 20, 65_536, 180, 10);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static KeyPair ephemeral;

    @TempDir
    Path dir;

    private ServerIdentity identity;
    private ServerHandshake server;
    /** The server's clock, which the tests move on its own. */
    private long serverNow = T0;

    @BeforeAll
    static void keys() {
        ephemeral = RsaKeys.generate(RANDOM);
    }

    @BeforeEach
    void startServer() throws Exception {
        identity = ServerIdentity.loadOrCreate(dir.resolve("identity.pem"), RANDOM);
        server = new ServerHandshake(identity, LIMITS, RANDOM, T0);
    }

    private ClientHandshakeDriver driver(long deadline) {
        return new ClientHandshakeDriver(new ClientHandshake("alice", ephemeral, RANDOM),
                ClientHandshakeDriver.Timing.CONSOLE, deadline);
    }

    /** What the server answers to one client datagram, or empty if it drops it (as the relay would). */
    private Optional<byte[]> serve(byte[] datagram) throws FrameException {
        V2Frame frame = V2Codec.decode(datagram);
        if (frame instanceof V2Frame.Hello hello) {
            return Optional.of(server.onHello(ALICE, hello, serverNow));
        }
        V2Frame.KeyOffer offer = (V2Frame.KeyOffer) frame;
        try {
            server.admit(ALICE, offer, serverNow);
        } catch (FrameException e) {
            return Optional.empty(); // bad_cookie: dropped, unanswered
        }
        return Optional.of(server.accept(datagram, offer).keyReply());
    }

    @Test
    void aServerThatAnswersCompletesItInOneRoundTripEach() throws Exception {
        ClientHandshakeDriver driver = driver(T0 + 5 * SECOND);
        byte[] hello = driver.start(T0);
        byte[] offer = driver.onDatagram(serve(hello).orElseThrow(), T0).orElseThrow();
        assertThat(driver.state()).isEqualTo(ClientHandshakeDriver.State.OFFER_SENT);

        assertThat(driver.onDatagram(serve(offer).orElseThrow(), T0)).isEmpty();

        assertThat(driver.state()).isEqualTo(ClientHandshakeDriver.State.ESTABLISHED);
        assertThat(driver.established().fingerprint()).isEqualTo(identity.fingerprint());
        assertThat(driver.nextWakeNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(driver.poll(T0 + 10 * SECOND)).isEmpty();
    }

    @Test
    void aLostHelloIsSentAgainTheSameAfterHalfASecondThenEverySecond() {
        ClientHandshakeDriver driver = driver(T0 + 5 * SECOND);
        byte[] hello = driver.start(T0);

        assertThat(driver.nextWakeNanos()).isEqualTo(T0 + 500 * MS);
        assertThat(driver.poll(T0 + 499 * MS)).isEmpty();
        assertThat(driver.poll(T0 + 500 * MS)).hasValueSatisfying(again -> assertThat(again).isEqualTo(hello));
        assertThat(driver.nextWakeNanos()).isEqualTo(T0 + 1_500 * MS);
        assertThat(driver.poll(T0 + 1_500 * MS)).hasValueSatisfying(again -> assertThat(again).isEqualTo(hello));
        assertThat(driver.nextWakeNanos()).isEqualTo(T0 + 2_500 * MS);
        assertThat(driver.hellosSent()).isEqualTo(3);
    }

    @Test
    void anUnansweredKeyOfferIsSentAgainThenTheHandshakeStartsOverWithANewNonce() throws Exception {
        ClientHandshakeDriver driver = driver(T0 + 30 * SECOND);
        byte[] firstHello = driver.start(T0);
        byte[] offer = driver.onDatagram(serve(firstHello).orElseThrow(), T0).orElseThrow();
        // The cookie expires before the KeyOffer is read (the server's epochs moved on: 2 × 120 s):
        // the server drops every copy of it, unanswered.
        serverNow += 241 * SECOND;
        assertThat(serve(offer)).isEmpty();

        assertThat(driver.poll(T0 + 500 * MS)).hasValueSatisfying(again -> assertThat(again).isEqualTo(offer));
        assertThat(serve(offer)).isEmpty();
        assertThat(driver.poll(T0 + 1_500 * MS)).hasValueSatisfying(again -> assertThat(again).isEqualTo(offer));
        assertThat(serve(offer)).isEmpty();
        byte[] newHello = driver.poll(T0 + 2_500 * MS).orElseThrow();

        assertThat(V2Codec.decode(newHello)).isInstanceOf(V2Frame.Hello.class);
        assertThat(nonce(newHello)).isNotEqualTo(nonce(firstHello));
        assertThat(driver.restarts()).isEqualTo(1);
        assertThat(driver.state()).isEqualTo(ClientHandshakeDriver.State.HELLO_SENT);
        // A late Retry for the old nonce fits no longer; the new one completes the handshake.
        assertThat(driver.onDatagram(V2Codec.encode(new V2Frame.Retry(nonce(firstHello), new byte[16])), T0 + 2_600 * MS))
                .isEmpty();
        byte[] newOffer = driver.onDatagram(serve(newHello).orElseThrow(), T0 + 2_600 * MS).orElseThrow();
        driver.onDatagram(serve(newOffer).orElseThrow(), T0 + 2_600 * MS);
        assertThat(driver.state()).isEqualTo(ClientHandshakeDriver.State.ESTABLISHED);
    }

    @Test
    void itGivesUpAtItsDeadlineAndNotBefore() {
        ClientHandshakeDriver driver = driver(T0 + 2_200 * MS);
        driver.start(T0);
        driver.poll(T0 + 500 * MS);
        driver.poll(T0 + 1_500 * MS);

        assertThat(driver.nextWakeNanos()).as("the deadline comes before the next resend").isEqualTo(T0 + 2_200 * MS);
        assertThat(driver.poll(T0 + 2_199 * MS)).isEmpty();
        assertThat(driver.state()).isEqualTo(ClientHandshakeDriver.State.HELLO_SENT);
        assertThat(driver.poll(T0 + 2_200 * MS)).isEmpty();
        assertThat(driver.state()).isEqualTo(ClientHandshakeDriver.State.FAILED);
        assertThat(driver.answered()).isFalse();
        assertThat(driver.nextWakeNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aForgedKeyReplyAndStrayDatagramsAreIgnoredAndTheGenuineReplyStillCompletes() throws Exception {
        ClientHandshakeDriver driver = driver(T0 + 5 * SECOND);
        byte[] offer = driver.onDatagram(serve(driver.start(T0)).orElseThrow(), T0).orElseThrow();
        byte[] reply = serve(offer).orElseThrow();
        byte[] forged = reply.clone();
        forged[forged.length - 1] ^= 1;

        assertThat(driver.onDatagram(forged, T0)).isEmpty();
        assertThat(driver.onDatagram("SYN-ACK".getBytes(), T0)).isEmpty();
        assertThat(driver.onDatagram(new byte[] {(byte) 0xFF, 2, 9}, T0)).isEmpty();
        assertThat(driver.state()).isEqualTo(ClientHandshakeDriver.State.OFFER_SENT);

        driver.onDatagram(reply, T0);
        assertThat(driver.state()).isEqualTo(ClientHandshakeDriver.State.ESTABLISHED);
    }

    private static byte[] nonce(byte[] hello) throws FrameException {
        return Arrays.copyOf(((V2Frame.Hello) V2Codec.decode(hello)).clientNonce(), V2Constants.NONCE_LENGTH);
    }
}
