package io.ciphergram.cli.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.TokenBucket;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.ClientHandshakeDriver;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Constants;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * A simulated v2 client (docs/PROTOCOL.md, "v2 profile"): the handshake as the console client does it
 * ({@link ClientHandshakeDriver}, with the run's shared RSA key), then a {@link SecureChannel} of its own,
 * over which it sends {@code /help}: its first record makes it a member, and the answer shows it is in the
 * room. From then on the channel opens, reassembles and acknowledges every delivery (without acks the
 * server stops sending and finally gives the session up) and retransmits on its timers, which the
 * {@link Ticker} runs at {@link SecureChannel#nextWakeNanos}. The channel does not pace: the {@link Sender} does.
 *
 * <p>An idle client stops at the KeyReply: the server then holds a session that never joins the room (it
 * sends no record). Its reply is neither verified nor unwrapped, which costs the server nothing either way.
 *
 * <p>Threads: everything here changes under the client's lock (receive thread, Ticker, Sender).
 */
final class V2Client extends BenchClient {

    /** As the generator always did: a second between sends, three KeyOffers per cookie. */
    private static final ClientHandshakeDriver.Timing TIMING = new ClientHandshakeDriver.Timing(RETRY_NANOS, RETRY_NANOS, 3);

    private enum Stage { NEW, HANDSHAKE, JOINING, READY, FAILED }

    private Stage stage = Stage.NEW;
    private ClientHandshakeDriver handshake;
    /** The phase's timeout: the handshake and the answer to /help both within it. */
    private long deadline;
    private SecureChannel channel;

    V2Client(int index, String name, boolean idle, ClientContext context, DeliveryTally tally) {
        super(index, name, idle, context, tally);
    }

    @Override
    synchronized void begin(long nowNanos, long deadlineNanos) {
        deadline = deadlineNanos;
        handshake = new ClientHandshakeDriver(new ClientHandshake(name, context.keys.pair(), context.random), TIMING,
                deadlineNanos);
        stage = Stage.HANDSHAKE;
        transmit(handshake.start(nowNanos));
        wakeAt = handshake.nextWakeNanos();
    }

    @Override
    synchronized void onDatagram(byte[] datagram, long nowNanos) {
        switch (stage) {
            case HANDSHAKE -> {
                if (idle) {
                    if (handshake.awaitingKeyReply() && isKeyReply(datagram)) {
                        stage = Stage.READY;
                        wakeAt = Long.MAX_VALUE;
                        handshakeDone(true);
                    } else {
                        handshake.onDatagram(datagram, nowNanos).ifPresent(this::transmit);
                    }
                    return;
                }
                handshake.onDatagram(datagram, nowNanos).ifPresent(this::transmit);
                if (handshake.state() == ClientHandshakeDriver.State.ESTABLISHED) {
                    established(handshake.established(), nowNanos);
                } else {
                    wakeAt = handshake.nextWakeNanos();
                }
            }
            case JOINING, READY -> {
                if (channel != null) {
                    receive(datagram, nowNanos);
                }
            }
            default -> {
            }
        }
    }

    private static boolean isKeyReply(byte[] datagram) {
        try {
            return V2Codec.decode(datagram) instanceof V2Frame.KeyReply;
        } catch (FrameException e) {
            return false;
        }
    }

    private void established(ClientHandshake.Established established, long nowNanos) {
        context.serverFingerprint.compareAndSet(null, established.fingerprint());
        context.serverLimits.compareAndSet(null, established.limits());
        channel = new SecureChannel(SecureChannel.Role.CLIENT, established.sessionId(), established.secret(),
                established.transcriptHash(), TokenBucket.NO_LIMIT, // unpaced: the Sender paces the run
                TimeUnit.SECONDS.toNanos(Math.max(1, established.limits().keepaliveSeconds())),
                V2Constants.REKEY_AFTER_MESSAGES, V2Constants.REKEY_AFTER_NANOS, nowNanos);
        stage = Stage.JOINING;
        channel.offer(context.joinCommand);
        flush(nowNanos);
    }

    private void receive(byte[] datagram, long nowNanos) {
        SecureChannel.Inbound inbound;
        try {
            if (!(V2Codec.decode(datagram) instanceof V2Frame.Data data)) {
                return; // a late handshake datagram
            }
            inbound = channel.open(data, nowNanos);
        } catch (FrameException e) {
            context.undecryptable.increment(); // a replay of a retransmission is dropped here, as the server does
            return;
        }
        long now = context.now(nowNanos);
        for (byte[] text : inbound.messages()) {
            if (!tally.accept(index, text, now) && relayNotice(text) && stage == Stage.JOINING) {
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
        wakeAt = stage == Stage.JOINING ? Math.min(next, deadline) : next;
    }

    private void lost() {
        if (stage == Stage.READY) {
            stage = Stage.FAILED;
            wakeAt = Long.MAX_VALUE;
            context.sessionsLost.increment();
        } else {
            fail();
        }
    }

    @Override
    synchronized void tick(long nowNanos) {
        if (nowNanos < wakeAt) {
            return;
        }
        switch (stage) {
            case HANDSHAKE -> {
                handshake.poll(nowNanos).ifPresent(this::transmit);
                if (handshake.state() == ClientHandshakeDriver.State.FAILED) {
                    fail();
                } else {
                    wakeAt = handshake.nextWakeNanos();
                }
            }
            case JOINING -> {
                if (nowNanos >= deadline) {
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
    void stop() {
        stage = Stage.FAILED;
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
