package io.ciphergram.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.Fingerprint;
import io.ciphergram.crypto.ServerIdentity;
import io.ciphergram.crypto.SessionSecret;
import io.ciphergram.crypto.V2KeyTransport;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * A simulated v2 client (docs/PROTOCOL.md, "v2 profile"): Hello, Retry, KeyOffer (with the run's shared
 * RSA key), KeyReply, whose signature it verifies and whose secret it unwraps as
 * {@link ClientHandshake} does, then a {@link SecureChannel} of its own, over which it sends {@code /help}:
 * the answer shows it is in the room. From then on the channel opens, reassembles and acknowledges every
 * delivery (without acks the server stops sending and finally gives the session up) and retransmits on
 * its timers, which the {@link Ticker} runs at {@link SecureChannel#nextWakeNanos}. The channel does not
 * pace: the {@link Sender} does.
 *
 * <p>An idle client stops at the KeyReply: the server then holds an established session that never joins
 * the room (it sends no record), retransmits its welcome and gives it up after the reliable layer's 60 s.
 * Its reply is neither verified nor unwrapped, which costs the server nothing either way.
 *
 * <p>Threads: everything here changes under the client's lock (receive thread, Ticker, Sender).
 */
final class V2Client extends BenchClient {

    private static final byte[] HELP = "/help".getBytes(StandardCharsets.US_ASCII);
    /** KeyOffers sent for one cookie before starting over with a new Hello (the cookie may have expired). */
    private static final int OFFERS_PER_HELLO = 3;
    /** From the KeyReply to the answer to /help. */
    private static final long JOIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private enum Stage { NEW, HELLO_SENT, OFFER_SENT, JOINING, READY, FAILED }

    private Stage stage = Stage.NEW;
    private byte[] clientNonce;
    private byte[] pending;
    private int retries;
    private int offers;
    private long joinDeadline;
    private SecureChannel channel;

    V2Client(int index, String name, boolean idle, ClientContext context, DeliveryTally tally) {
        super(index, name, idle, context, tally);
    }

    @Override
    synchronized void begin(long nowNanos) {
        hello(nowNanos);
    }

    private void hello(long nowNanos) {
        clientNonce = new byte[V2Codec.NONCE_LENGTH];
        context.random.nextBytes(clientNonce);
        pending = V2Codec.encode(new V2Frame.Hello(clientNonce));
        offers = 0;
        stage = Stage.HELLO_SENT;
        wakeAt = nowNanos + RETRY_NANOS;
        transmit(pending.clone());
    }

    @Override
    void onDatagram(byte[] datagram, long nowNanos) {
        V2Frame frame;
        try {
            frame = V2Codec.decode(datagram);
        } catch (FrameException e) {
            context.undecryptable.increment();
            return;
        }
        synchronized (this) {
            switch (stage) {
                case HELLO_SENT -> {
                    if (frame instanceof V2Frame.Retry retry && Arrays.equals(retry.clientNonce(), clientNonce)) {
                        pending = V2Codec.encode(new V2Frame.KeyOffer(retry.cookie(), clientNonce,
                                context.keys.subjectPublicKeyInfo(), name));
                        stage = Stage.OFFER_SENT;
                        offers = 1;
                        wakeAt = nowNanos + RETRY_NANOS;
                        transmit(pending.clone());
                    }
                }
                case OFFER_SENT -> {
                    if (frame instanceof V2Frame.KeyReply reply) {
                        established(reply, nowNanos);
                    }
                }
                case JOINING, READY -> {
                    if (frame instanceof V2Frame.Data data && channel != null) {
                        receive(data, nowNanos);
                    }
                }
                default -> {
                }
            }
        }
    }

    private void established(V2Frame.KeyReply reply, long nowNanos) {
        if (idle) {
            stage = Stage.READY;
            wakeAt = Long.MAX_VALUE;
            handshakeDone(true);
            return;
        }
        byte[] transcriptHash = V2Codec.transcriptHash(pending, reply);
        if (!ServerIdentity.verify(reply.serverIdentityKey(), transcriptHash, reply.signature())) {
            return; // not the server's reply for this offer: ignored, as ClientHandshake does
        }
        SessionSecret secret;
        try {
            secret = V2KeyTransport.unwrap(context.keys.pair().getPrivate(), reply.wrappedSecret());
        } catch (CryptoFailure e) {
            return;
        }
        context.serverFingerprint.compareAndSet(null, Fingerprint.of(reply.serverIdentityKey()));
        channel = new SecureChannel(SecureChannel.Role.CLIENT, reply.sessionId(), secret, transcriptHash,
                new TokenBucket(0, 1, nowNanos), // unpaced: the Sender paces the run
                TimeUnit.SECONDS.toNanos(Math.max(1, reply.limits().keepaliveSeconds())),
                V2Constants.REKEY_AFTER_MESSAGES, V2Constants.REKEY_AFTER_NANOS, nowNanos);
        stage = Stage.JOINING;
        joinDeadline = nowNanos + JOIN_TIMEOUT_NANOS;
        channel.offer(HELP);
        flush(nowNanos);
    }

    private void receive(V2Frame.Data data, long nowNanos) {
        SecureChannel.Inbound inbound;
        try {
            inbound = channel.open(data, nowNanos);
        } catch (FrameException e) {
            context.undecryptable.increment(); // a replay of a retransmission is dropped here, as the server does
            return;
        }
        long now = context.now(nowNanos);
        for (byte[] text : inbound.messages()) {
            if (!tally.accept(index, text, now) && stage == Stage.JOINING && isHelpReply(text)) {
                stage = Stage.READY;
                handshakeDone(true);
            }
        }
        if (inbound.closed()) {
            lost();
            return;
        }
        flush(nowNanos);
    }

    /** Sends what the channel has due (acks, fragments, retransmissions) and notes when it is due next. */
    private void flush(long nowNanos) {
        List<byte[]> out = channel.poll(nowNanos);
        for (byte[] datagram : out) {
            transmit(datagram);
        }
        if (channel.failure().isPresent()) {
            lost();
            return;
        }
        long next = channel.nextWakeNanos(nowNanos);
        wakeAt = stage == Stage.JOINING ? Math.min(next, joinDeadline) : next;
    }

    private void lost() {
        Stage was = stage;
        stage = Stage.FAILED;
        wakeAt = Long.MAX_VALUE;
        if (was == Stage.READY) {
            context.sessionsLost.increment();
        } else {
            handshakeDone(false);
        }
    }

    @Override
    synchronized void tick(long nowNanos) {
        if (nowNanos < wakeAt) {
            return;
        }
        switch (stage) {
            case HELLO_SENT, OFFER_SENT -> {
                if (++retries > MAX_RETRIES) {
                    fail();
                } else if (stage == Stage.OFFER_SENT && offers >= OFFERS_PER_HELLO) {
                    hello(nowNanos);
                } else {
                    offers += stage == Stage.OFFER_SENT ? 1 : 0;
                    wakeAt = nowNanos + RETRY_NANOS;
                    transmit(pending.clone()); // the very same bytes: the server answers a repeated offer alike
                }
            }
            case JOINING -> {
                if (nowNanos >= joinDeadline) {
                    fail();
                } else {
                    flush(nowNanos);
                }
            }
            case READY -> {
                if (channel != null) {
                    flush(nowNanos);
                }
            }
            default -> wakeAt = Long.MAX_VALUE;
        }
    }

    @Override
    synchronized void abandon() {
        if (stage != Stage.READY) {
            fail();
        }
    }

    private void fail() {
        stage = Stage.FAILED;
        wakeAt = Long.MAX_VALUE;
        handshakeDone(false);
    }

    @Override
    synchronized boolean ready() {
        return stage == Stage.READY;
    }

    @Override
    synchronized SendOutcome send(byte[] text, long nowNanos) {
        if (stage != Stage.READY || channel == null) {
            return SendOutcome.FAILED;
        }
        if (!channel.offer(text)) {
            return SendOutcome.BACKPRESSURED;
        }
        flush(nowNanos);
        return SendOutcome.SENT;
    }

    @Override
    synchronized void leave(long nowNanos) {
        if (stage == Stage.READY && channel != null) {
            transmit(channel.ackNow(nowNanos));
            transmit(channel.close(nowNanos));
            stage = Stage.FAILED;
            wakeAt = Long.MAX_VALUE;
        }
    }
}
