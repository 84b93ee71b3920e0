package io.ciphergram.relay;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;

/** A v2 client driven by hand against a {@link RelayFixture}: its channel, and what the relay sent it. */
final class V2Client {

    private static final SecureRandom RANDOM = new SecureRandom();

    final RelayFixture fixture;
    final PeerId peer;
    SecureChannel channel;
    byte[] keyOffer;
    final List<String> texts = new ArrayList<>();
    /** Every message the relay sent, as it came (app frames for a framed client). */
    final List<byte[]> messages = new ArrayList<>();
    private int readUpTo;

    V2Client(RelayFixture fixture, PeerId peer) {
        this.fixture = fixture;
        this.peer = peer;
    }

    V2Client join(String name) throws Exception {
        return join(new ClientHandshake(name, RANDOM));
    }

    /** Joins offering an identity (null: none), features and a resume point, as our clients do. */
    V2Client join(String name, io.ciphergram.crypto.IdentityKeyPair identity, int features, V2Frame.Resume resume)
            throws Exception {
        return join(new ClientHandshake(name, RANDOM).offering(identity, features, resume));
    }

    private V2Client join(ClientHandshake handshake) throws Exception {
        offer(handshake);
        return accept(handshake);
    }

    /** Hello, then the KeyOffer with the cookie the Retry brought: what reaches the handshake workers. */
    V2Client offer(ClientHandshake handshake) throws Exception {
        fixture.relay.onDatagram(peer, handshake.hello());
        keyOffer = handshake.onRetry((V2Frame.Retry) V2Codec.decode(last()));
        fixture.relay.onDatagram(peer, keyOffer);
        return this;
    }

    /** Takes the last KeyReply the relay sent, and proves the keys with a first record, as our clients do. */
    V2Client accept(ClientHandshake handshake) throws Exception {
        byte[] keyReply = fixture.sentTo(peer).stream().filter(d -> d[2] == V2Codec.KEY_REPLY)
                .reduce((a, b) -> b).orElseThrow();
        ClientHandshake.Established e = handshake.onKeyReply((V2Frame.KeyReply) V2Codec.decode(keyReply));
        // unpaced: the tests flood on purpose
        channel = new SecureChannel(SecureChannel.Role.CLIENT, e.sessionId(), e.secret(), e.transcriptHash(),
                TokenBucket.NO_LIMIT, TimeUnit.SECONDS.toNanos(10), V2Constants.REKEY_AFTER_MESSAGES,
                V2Constants.REKEY_AFTER_NANOS, fixture.clock.get());
        confirmKeys();
        read();
        return this;
    }

    /** The client's first record, as our clients send it at once: the server makes the session a member. */
    void confirmKeys() {
        fixture.relay.onDatagram(peer, channel.ping(fixture.clock.get()));
    }

    byte[] last() {
        List<byte[]> mine = fixture.sentTo(peer);
        return mine.get(mine.size() - 1);
    }

    /** Sends a text and returns the datagrams that carried it. */
    List<byte[]> say(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one message as it is (an app frame, say) and returns the datagrams that carried it. */
    List<byte[]> send(byte[] message) {
        channel.offer(message);
        List<byte[]> datagrams = channel.poll(fixture.clock.get());
        datagrams.forEach(d -> fixture.relay.onDatagram(peer, d));
        return datagrams;
    }

    /** Opens everything the relay has sent this client since the last read, and acknowledges it. */
    List<String> read() throws Exception {
        List<RelayFixture.Sent> all = List.copyOf(fixture.sent);
        for (RelayFixture.Sent s : all.subList(readUpTo, all.size())) {
            if (s.to().equals(peer) && V2Codec.decode(s.datagram()) instanceof V2Frame.Data d) {
                try {
                    channel.open(d, fixture.clock.get()).messages().forEach(m -> {
                        messages.add(m);
                        texts.add(new String(m, StandardCharsets.UTF_8));
                    });
                } catch (FrameException ignored) {
                    // a retransmission already seen
                }
            }
        }
        readUpTo = all.size();
        fixture.clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(30)); // past the delayed-ack time
        channel.poll(fixture.clock.get()).forEach(d -> fixture.relay.onDatagram(peer, d));
        return texts;
    }
}
