package io.ciphergram.protocol.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.TokenBucket;

class SecureChannelTest {

    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000 * MILLI;
    private static final long T0 = 5_000 * SECOND;
    private static final long SESSION_ID = 0x5E55_1011_0000_0001L;
    private static final long KEEPALIVE = 10 * SECOND;

    private static final SecureRandom RANDOM = new SecureRandom();
    private final SessionSecret secret = SessionSecret.random(RANDOM);
    private final byte[] transcriptHash = randomBytes(32);

    private long now = T0;

    private SecureChannel channel(SecureChannel.Role role, long rekeyAfterMessages) {
        return new SecureChannel(role, SESSION_ID, secret, transcriptHash, new TokenBucket(0, 0, T0), KEEPALIVE,
                rekeyAfterMessages, V2Constants.REKEY_AFTER_NANOS, T0);
    }

    private SecureChannel client = channel(SecureChannel.Role.CLIENT, V2Constants.REKEY_AFTER_MESSAGES);
    private SecureChannel server = channel(SecureChannel.Role.SERVER, V2Constants.REKEY_AFTER_MESSAGES);

    @Test
    void messagesArriveInOrderBothWays() throws Exception {
        for (int i = 0; i < 5; i++) {
            client.offer(text("from client " + i));
            server.offer(text("from server " + i));
        }

        List<String> atServer = deliver(client.poll(now), server);
        List<String> atClient = deliver(server.poll(now), client);

        assertThat(atServer).containsExactly("from client 0", "from client 1", "from client 2", "from client 3", "from client 4");
        assertThat(atClient).containsExactly("from server 0", "from server 1", "from server 2", "from server 3", "from server 4");
    }

    @Test
    void eachDirectionHasItsOwnKeys() throws Exception {
        client.offer(text("hi"));
        byte[] datagram = client.poll(now).get(0);
        SecureChannel otherClient = channel(SecureChannel.Role.CLIENT, V2Constants.REKEY_AFTER_MESSAGES);

        assertDropped(() -> otherClient.open(data(datagram), now), DropReason.AUTH_FAILED);
    }

    @Test
    void aReplayedDatagramIsRejected() throws Exception {
        client.offer(text("pay alice 5 coins"));
        byte[] datagram = client.poll(now).get(0);
        assertThat(server.open(data(datagram), now).messages()).hasSize(1);

        assertDropped(() -> server.open(data(datagram), now), DropReason.REPLAYED);
    }

    @Test
    void aReplayOfAnOlderDatagramAfterNewerOnesIsRejected() throws Exception {
        List<byte[]> datagrams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            client.offer(text("m" + i));
        }
        datagrams.addAll(client.poll(now));
        deliver(datagrams, server);

        assertDropped(() -> server.open(data(datagrams.get(1)), now), DropReason.REPLAYED);
    }

    @Test
    void aFlippedCiphertextOrHeaderByteFailsAuthentication() throws Exception {
        client.offer(text("hello"));
        byte[] datagram = client.poll(now).get(0);
        byte[] ciphertextFlipped = datagram.clone();
        ciphertextFlipped[25] ^= 0x40;
        assertDropped(() -> server.open(data(ciphertextFlipped), now), DropReason.AUTH_FAILED);

        byte[] tagFlipped = datagram.clone();
        tagFlipped[datagram.length - 1] ^= 0x01;
        assertDropped(() -> server.open(data(tagFlipped), now), DropReason.AUTH_FAILED);

        byte[] sequenceFlipped = datagram.clone();
        sequenceFlipped[19] ^= 0x01; // sequence 0 → 1: authenticated as associated data and in the nonce
        assertDropped(() -> server.open(data(sequenceFlipped), now), DropReason.AUTH_FAILED);

        assertThat(server.open(data(datagram), now).messages()).as("the genuine datagram still opens").hasSize(1);
    }

    @Test
    void aDatagramForAnotherSessionIdIsUnknownSession() throws Exception {
        client.offer(text("hello"));
        byte[] datagram = client.poll(now).get(0);
        datagram[10] ^= 0x01;

        assertDropped(() -> server.open(data(datagram), now), DropReason.UNKNOWN_SESSION);
    }

    @Test
    void keysAreUpdatedAndTrafficFlowsAcrossManyGenerations() throws Exception {
        client = channel(SecureChannel.Role.CLIENT, 5);
        server = channel(SecureChannel.Role.SERVER, 5);
        List<String> sentByClient = new ArrayList<>();
        List<String> sentByServer = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sentByClient.add("c" + i);
            sentByServer.add("s" + i);
            client.offer(text("c" + i));
            server.offer(text("s" + i));
        }
        List<String> atServer = new ArrayList<>();
        List<String> atClient = new ArrayList<>();
        byte[] firstFromClient = null;
        for (int round = 0; round < 20 && !(client.allAcknowledged() && server.allAcknowledged()); round++) {
            now += 30 * MILLI;
            List<byte[]> fromClient = client.poll(now);
            if (firstFromClient == null && !fromClient.isEmpty()) {
                firstFromClient = fromClient.get(0);
            }
            atServer.addAll(deliver(fromClient, server));
            atClient.addAll(deliver(server.poll(now), client));
        }

        assertThat(atServer).isEqualTo(sentByClient);
        assertThat(atClient).isEqualTo(sentByServer);
        assertThat(client.sendGeneration()).isGreaterThan(0);
        assertThat(server.sendGeneration()).isGreaterThan(0);
        assertThat(server.receiveGeneration()).isEqualTo(client.sendGeneration());
        assertThat(client.receiveGeneration()).isEqualTo(server.sendGeneration());
        byte[] generationZero = firstFromClient;
        assertThat(data(generationZero).keyPhase()).isZero();
        assertDropped(() -> server.open(data(generationZero), now), DropReason.BAD_KEY_PHASE);
    }

    @Test
    void aDatagramOfTheJustPreviousGenerationIsRejectedAfterTheSwitch() throws Exception {
        client = channel(SecureChannel.Role.CLIENT, 2);
        server = channel(SecureChannel.Role.SERVER, 2);
        for (int i = 0; i < 3; i++) {
            client.offer(text("m" + i));
        }
        List<byte[]> datagrams = client.poll(now); // sequences 0, 1 under generation 0; 0 under generation 1
        assertThat(datagrams).hasSize(3);
        byte[] lastOfGenerationZero = datagrams.get(1);
        deliver(List.of(datagrams.get(0), datagrams.get(2)), server);
        assertThat(server.receiveGeneration()).isEqualTo(1);

        assertDropped(() -> server.open(data(lastOfGenerationZero), now), DropReason.BAD_KEY_PHASE);
    }

    @Test
    void aForgedDatagramUnderTheNextPhaseDoesNotMoveTheReceiverToIt() throws Exception {
        client.offer(text("hello"));
        byte[] datagram = client.poll(now).get(0);
        datagram[11] = 1; // claims generation 1

        assertDropped(() -> server.open(data(datagram), now), DropReason.AUTH_FAILED);
        assertThat(server.receiveGeneration()).isZero();
    }

    @Test
    void closeIsDeliveredAsClosed() throws Exception {
        byte[] close = client.close(now);

        SecureChannel.Inbound inbound = server.open(data(close), now);

        assertThat(inbound.closed()).isTrue();
        assertThat(inbound.messages()).isEmpty();
        assertThat(server.closed()).isTrue();
        assertThat(client.closed()).isTrue();
    }

    @Test
    void theClientSendsAPingAfterKeepaliveOfSilenceAndTheServerOnlyAnswersIt() throws Exception {
        assertThat(client.poll(T0 + KEEPALIVE - 1)).isEmpty();
        assertThat(client.nextWakeNanos(T0)).isEqualTo(T0 + KEEPALIVE);

        List<byte[]> ping = client.poll(T0 + KEEPALIVE);

        assertThat(ping).hasSize(1);
        assertThat(ping.get(0)).hasSize(20 + 1 + 16);
        SecureChannel.Inbound inbound = server.open(data(ping.get(0)), T0 + KEEPALIVE);
        assertThat(inbound.messages()).isEmpty();
        assertThat(inbound.closed()).isFalse();
        assertThat(server.lastReceivedNanos()).isEqualTo(T0 + KEEPALIVE);
        assertThat(client.poll(T0 + KEEPALIVE + 1)).as("the next Ping waits another keepalive").isEmpty();
        assertThat(server.poll(T0 + KEEPALIVE)).as("one answer to the ping").hasSize(1);
        assertThat(server.poll(T0 + 100 * KEEPALIVE)).as("never a ping of its own").isEmpty();
    }

    @Test
    void aPingOnDemandIsOneAuthenticatedRecordTheServerAnswers() throws Exception {
        byte[] ping = client.ping(T0);

        assertThat(ping).hasSize(20 + 1 + 16);
        assertThat(server.open(data(ping), T0).messages()).isEmpty();
        assertThat(server.poll(T0)).as("its answer").hasSize(1);
        assertThat(client.nextWakeNanos(T0)).as("a Ping counts as sending").isEqualTo(T0 + KEEPALIVE);
    }

    @Test
    void messagesCountAsAcknowledgedOnlyWholeAndInOrder() throws Exception {
        client.offer(text("first"));
        client.offer(randomBytes(3 * V2Constants.MAX_FRAGMENT_PAYLOAD)); // three fragments
        client.offer(text("third"));
        List<byte[]> datagrams = client.poll(now);
        assertThat(datagrams).hasSize(5);

        // The server gets the first message and the last, but only the second's first fragment.
        deliver(List.of(datagrams.get(0), datagrams.get(1), datagrams.get(4)), server);
        now += V2Constants.DELAYED_ACK_NANOS;
        deliver(server.poll(now), client);

        assertThat(client.acknowledgedMessages()).as("the third is acknowledged but the second is not whole").isEqualTo(1);

        while (!client.allAcknowledged()) {
            now = client.nextWakeNanos(now);
            deliver(client.poll(now), server); // the two lost fragments again
            now += V2Constants.DELAYED_ACK_NANOS;
            deliver(server.poll(now), client);
        }
        assertThat(client.acknowledgedMessages()).isEqualTo(3);
    }

    @Test
    void aSixtyFourKibMessageRoundTripsInDatagramsOfAtMost1200Bytes() throws Exception {
        byte[] message = randomBytes(V2Constants.MAX_MESSAGE);
        client.offer(message);

        List<byte[]> datagrams = client.poll(now);

        assertThat(datagrams).hasSizeGreaterThan(1);
        assertThat(datagrams).allSatisfy(d -> assertThat(d.length).isLessThanOrEqualTo(1200));
        List<byte[]> received = new ArrayList<>();
        for (byte[] datagram : datagrams) {
            received.addAll(server.open(data(datagram), now).messages());
        }
        assertThat(received).singleElement().isEqualTo(message);
    }

    @Test
    void everythingIsAcknowledgedOnceAcksFlowBack() throws Exception {
        client.offer(text("one"));
        client.offer(randomBytes(5_000));
        List<byte[]> datagrams = client.poll(now);
        assertThat(client.allAcknowledged()).isFalse();
        deliver(datagrams, server);
        assertThat(client.allAcknowledged()).as("nothing acknowledged before the Ack arrives").isFalse();

        now += V2Constants.DELAYED_ACK_NANOS;
        List<byte[]> acks = server.poll(now);
        assertThat(acks).isNotEmpty();
        deliver(acks, client);

        assertThat(client.allAcknowledged()).isTrue();
        assertThat(client.failure()).isEmpty();
    }

    @Test
    void aLostDatagramIsRetransmittedUnderFreshSequenceNumbers() throws Exception {
        client.offer(text("lost once"));
        byte[] lost = client.poll(now).get(0);

        now = client.nextWakeNanos(now);
        assertThat(now).isEqualTo(T0 + V2Constants.INITIAL_RTO_NANOS);
        List<byte[]> again = client.poll(now);

        assertThat(again).hasSize(1);
        assertThat(data(again.get(0)).sequence()).isGreaterThan(data(lost).sequence());
        assertThat(deliver(again, server)).containsExactly("lost once");
    }

    private List<String> deliver(List<byte[]> datagrams, SecureChannel to) throws FrameException {
        List<String> texts = new ArrayList<>();
        for (byte[] datagram : datagrams) {
            for (byte[] message : to.open(data(datagram), now).messages()) {
                texts.add(new String(message, StandardCharsets.UTF_8));
            }
        }
        return texts;
    }

    private static V2Frame.Data data(byte[] datagram) throws FrameException {
        return (V2Frame.Data) V2Codec.decode(datagram);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void assertDropped(Step step, DropReason reason) {
        assertThatThrownBy(step::run)
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
