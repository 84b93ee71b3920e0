package io.ciphergram.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.ciphergram.crypto.ClassicKeyTransport;
import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.FrameException;

/**
 * A simulated classic client (docs/PROTOCOL.md, "Classic profile"): SYN, SYN-ACK, ACK, its public key, the
 * key reply, its username, then {@code /help}, whose answer shows that its first message decrypted and so
 * that it is in the room. An idle one stops after sending its username (it need not read the key reply):
 * an unproven session the server holds but sends no room traffic. For the plain baseline a client is
 * made ready with the run's shared key and no handshake at all.
 *
 * <p>Threads: the handshake (stage, key, retries) changes under the client's lock, from the receive thread
 * and the Ticker; once ready, the key no longer changes and the receive thread opens deliveries and the
 * Sender seals messages without the lock.
 */
final class ClassicClient extends BenchClient {

    private static final byte[] SYN = ClassicCodec.encode(new ClassicFrame.Syn());
    private static final byte[] SYN_ACK = ClassicCodec.encode(new ClassicFrame.SynAck());
    private static final byte[] ACK = ClassicCodec.encode(new ClassicFrame.Ack());
    private static final byte[] QUIT = "/quit".getBytes(StandardCharsets.US_ASCII);
    private final byte[] username;

    private enum Stage { NEW, SYN_SENT, KEY_SENT, JOINING, READY, FAILED }

    private volatile Stage stage = Stage.NEW;
    /** Written before the stage that publishes it (JOINING or READY); null for an idle client. */
    private volatile SessionKey key;
    private long deadline;

    ClassicClient(int index, String name, boolean idle, ClientContext context, DeliveryTally tally) {
        super(index, name, idle, context, tally);
        this.username = ClassicCodec.encode(new ClassicFrame.Username(name));
    }

    /** A client of the plain baseline: no handshake, the run's shared key, ready at once. */
    static ClassicClient preKeyed(int index, ClientContext context, DeliveryTally tally, SessionKey shared) {
        ClassicClient client = new ClassicClient(index, "plain-" + index, false, context, tally);
        client.key = shared;
        client.stage = Stage.READY;
        return client;
    }

    @Override
    synchronized void begin(long nowNanos, long deadlineNanos) {
        deadline = deadlineNanos;
        sendSyn(nowNanos);
    }

    private void sendSyn(long nowNanos) {
        key = null;
        stage = Stage.SYN_SENT;
        wakeAt = nowNanos + RETRY_NANOS;
        transmit(SYN.clone());
    }

    @Override
    void onDatagram(byte[] datagram, long nowNanos) {
        Stage now = stage;
        if (now == Stage.READY || now == Stage.JOINING) {
            SessionKey k = key;
            if (k != null) {
                receiveMessage(k, datagram, now, nowNanos);
            }
            return;
        }
        synchronized (this) {
            handshake(datagram, nowNanos);
        }
    }

    private void receiveMessage(SessionKey k, byte[] datagram, Stage now, long nowNanos) {
        byte[] text;
        try {
            ClassicFrame frame = ClassicCodec.decodeFromServer(datagram, ClassicCodec.ServerExpects.MESSAGE);
            text = context.classicCipher.open(k, ((ClassicFrame.Sealed) frame).ivAndCiphertext());
        } catch (FrameException | CryptoFailure | ClassCastException e) {
            context.undecryptable.increment();
            return;
        }
        if (!tally.accept(index, text, context.now(nowNanos)) && relayNotice(text) && now == Stage.JOINING) {
            joined();
        }
    }

    private synchronized void joined() {
        if (stage == Stage.JOINING) {
            stage = Stage.READY;
            wakeAt = Long.MAX_VALUE;
            handshakeDone(true);
        }
    }

    private void handshake(byte[] datagram, long nowNanos) {
        switch (stage) {
            case SYN_SENT -> {
                if (Arrays.equals(datagram, SYN_ACK)) {
                    transmit(ACK.clone());
                    transmit(context.keys.classicPublicKeyDatagram().clone());
                    stage = Stage.KEY_SENT;
                    wakeAt = nowNanos + RETRY_NANOS;
                }
            }
            case KEY_SENT -> {
                if (Arrays.equals(datagram, SYN_ACK)) {
                    return; // a duplicated SYN-ACK; the key reply is the next datagram
                }
                if (idle) {
                    transmit(username);
                    stage = Stage.READY;
                    wakeAt = Long.MAX_VALUE;
                    handshakeDone(true);
                    return;
                }
                SessionKey unwrapped;
                try {
                    ClassicFrame reply = ClassicCodec.decodeFromServer(datagram, ClassicCodec.ServerExpects.KEY_REPLY);
                    unwrapped = ClassicKeyTransport.unwrap(context.keys.pair().getPrivate(),
                            ((ClassicFrame.KeyReply) reply).encryptedKey());
                } catch (FrameException | CryptoFailure | ClassCastException e) {
                    return; // not our key reply: the retry timer starts over
                }
                transmit(username);
                key = unwrapped;
                stage = Stage.JOINING; // its first message that decrypts joins it to the room
                wakeAt = nowNanos + RETRY_NANOS;
                transmit(seal(unwrapped, context.joinCommand));
            }
            default -> {
            }
        }
    }

    @Override
    synchronized void tick(long nowNanos) {
        Stage now = stage;
        if ((now != Stage.SYN_SENT && now != Stage.KEY_SENT && now != Stage.JOINING) || nowNanos < wakeAt) {
            return;
        }
        if (nowNanos - deadline >= 0) {
            fail();
        } else {
            sendSyn(nowNanos); // a new handshake replaces the unproven session its lost datagram left
        }
    }

    @Override
    void stop() {
        stage = Stage.FAILED;
    }

    @Override
    boolean ready() {
        return stage == Stage.READY;
    }

    @Override
    SendOutcome send(byte[] text, long nowNanos) {
        SessionKey k = key;
        if (stage != Stage.READY || k == null) {
            return SendOutcome.FAILED;
        }
        return transmit(seal(k, text)) ? SendOutcome.SENT : SendOutcome.FAILED;
    }

    @Override
    void leave(long nowNanos) {
        SessionKey k = key;
        if (stage == Stage.READY && k != null && !idle) {
            transmit(seal(k, QUIT));
        }
    }

    private byte[] seal(SessionKey k, byte[] text) {
        return ClassicCodec.encode(new ClassicFrame.Sealed(context.classicCipher.seal(k, text)));
    }
}
