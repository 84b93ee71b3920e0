package io.ciphergram.testing;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.ciphergram.crypto.DirectionKeys;
import io.ciphergram.crypto.SequencedAead;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.ReliableCodec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.ReliableFrame;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * A v2 session over a {@link RawWebSocket}, driven by the test thread, for tests that behave as no real
 * client would: pinging on demand, then not reading at all while acknowledging what it never read (an
 * attacker who knows how many fragments a line takes). Time is passed to the channel as the test decides,
 * so a Ping can be made whenever one is wanted. Not thread-safe.
 */
public final class RawV2Peer implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long KEEPALIVE = TimeUnit.SECONDS.toNanos(10);

    private final RawWebSocket socket;
    private final ClientHandshake.Established established;
    private final SecureChannel channel;
    /** Records this end has sealed so far, through its channel or forged: the next record's sequence. */
    private final AtomicInteger recordsSent = new AtomicInteger();
    /** Reliable fragments received in order: what a cumulative Ack would name next. */
    private long fragmentsReceived;
    private long clock = System.nanoTime();
    private SequencedAead forger;

    private RawV2Peer(RawWebSocket socket, ClientHandshake.Established established) {
        this.socket = socket;
        this.established = established;
        // unpaced and with a keepalive the test triggers by moving its clock
        this.channel = new SecureChannel(SecureChannel.Role.CLIENT, established.sessionId(), established.secret(),
                established.transcriptHash(), TokenBucket.NO_LIMIT, KEEPALIVE, V2Constants.REKEY_AFTER_MESSAGES,
                V2Constants.REKEY_AFTER_NANOS, clock);
    }

    /** Handshakes as {@code name} over {@code socket} (upgraded) and sends a Ping, which makes it a room member. */
    public static RawV2Peer join(RawWebSocket socket, String name) throws IOException {
        ClientHandshake handshake = new ClientHandshake(name, RANDOM);
        try {
            socket.sendBinary(handshake.hello());
            byte[] offer = handshake.onRetry((V2Frame.Retry) V2Codec.decode(expect(socket)));
            socket.sendBinary(offer);
            RawV2Peer peer = new RawV2Peer(socket,
                    handshake.onKeyReply((V2Frame.KeyReply) V2Codec.decode(expect(socket))));
            peer.ping();
            return peer;
        } catch (FrameException e) {
            throw new IOException("the server's handshake answer does not decode: " + e.reason(), e);
        } catch (ClientHandshake.HandshakeException e) {
            throw new IOException("the server's handshake answer is refused: " + e.getMessage(), e);
        }
    }

    private static byte[] expect(RawWebSocket socket) throws IOException {
        byte[] datagram = socket.receiveBinary(10_000);
        if (datagram == null) {
            throw new IOException("the server closed the connection during the handshake");
        }
        return datagram;
    }

    public RawWebSocket socket() {
        return socket;
    }

    /** Sends a Ping now (the server answers one with a Ping when it has nothing else to send). */
    public void ping() throws IOException {
        clock += KEEPALIVE;
        send(channel.poll(clock));
    }

    /** Says {@code text} to the room. */
    public void say(String text) throws IOException {
        channel.offer(text.getBytes(StandardCharsets.UTF_8));
        send(channel.poll(clock));
    }

    private void send(List<byte[]> records) throws IOException {
        for (byte[] record : records) {
            recordsSent.incrementAndGet();
            socket.sendBinary(record);
        }
    }

    /**
     * Reads one datagram within {@code timeoutMillis} and acknowledges as a client does; returns the texts it
     * completed (none for an Ack or a Ping), or null if nothing came or the server closed.
     */
    public List<String> receive(int timeoutMillis) throws IOException {
        byte[] datagram;
        try {
            datagram = socket.receiveBinary(timeoutMillis);
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (datagram == null) {
            return null;
        }
        List<String> texts;
        try {
            if (!(V2Codec.decode(datagram) instanceof V2Frame.Data data)) {
                return List.of();
            }
            texts = channel.open(data, clock).messages().stream().map(m -> new String(m, StandardCharsets.UTF_8)).toList();
        } catch (FrameException e) {
            return List.of();
        }
        for (String text : texts) {
            fragmentsReceived += fragments(text);
        }
        clock += TimeUnit.MILLISECONDS.toNanos(30); // past the delayed-ack time
        send(channel.poll(clock));
        return texts;
    }

    /** Reads until a text matching {@code line} has arrived; false if the server went quiet for 10 s first. */
    public boolean awaitText(String line) throws IOException {
        for (List<String> texts = receive(10_000); texts != null; texts = receive(10_000)) {
            if (texts.contains(line)) {
                return true;
            }
        }
        return false;
    }

    /** How many reliable fragments a relayed text takes (its UTF-8 bytes, cut at the fragment payload size). */
    public static int fragments(String text) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        return Math.max(1, (bytes + V2Constants.MAX_FRAGMENT_PAYLOAD - 1) / V2Constants.MAX_FRAGMENT_PAYLOAD);
    }

    /**
     * Acknowledges {@code more} fragments beyond everything acknowledged so far, without having read them:
     * an Ack record sealed under this session's keys, as the client's own would be.
     */
    public void acknowledgeUnread(int more) throws IOException {
        if (forger == null) {
            forger = new SequencedAead(DirectionKeys.derive(established.secret(), established.transcriptHash())
                    .clientToServer());
        }
        fragmentsReceived += more;
        byte[] inner = ReliableCodec.encode(new ReliableFrame.Ack(fragmentsReceived, List.of()));
        long sequence = recordsSent.getAndIncrement();
        byte[] header = V2Codec.dataHeader(established.sessionId(), 0, sequence);
        byte[] sealed = forger.seal(sequence, header, inner);
        socket.sendBinary(ByteBuffer.allocate(header.length + sealed.length).put(header).put(sealed).array());
    }

    @Override
    public void close() {
        socket.close();
    }
}
