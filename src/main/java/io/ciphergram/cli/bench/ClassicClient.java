package io.ciphergram.cli.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

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
    private static final byte[] HELP = "/help".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUIT = "/quit".getBytes(StandardCharsets.US_ASCII);

    private enum Stage { NEW, SYN_SENT, KEY_SENT, JOINING, READY, FAILED }

    private volatile Stage stage = Stage.NEW;
    /** Written before the stage that publishes it (JOINING or READY); null for an idle client. */
    private volatile SessionKey key;
    private int retries;

    ClassicClient(int index, String name, boolean idle, ClientContext context, DeliveryTally tally) {
        super(index, name, idle, context, tally);
    }

    /** A client of the plain baseline: no handshake, the run's shared key, ready at once. */
    static ClassicClient preKeyed(int index, ClientContext context, DeliveryTally tally, SessionKey shared) {
        ClassicClient client = new ClassicClient(index, "plain-" + index, false, context, tally);
        client.key = shared;
        client.stage = Stage.READY;
        return client;
    }

    @Override
    synchronized void begin(long nowNanos) {
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
            text = context.classicCipher.open(k, Base64.getDecoder().decode(datagram));
        } catch (CryptoFailure | IllegalArgumentException e) {
            context.undecryptable.increment();
            return;
        }
        if (!tally.accept(index, text, context.now(nowNanos)) && now == Stage.JOINING && isHelpReply(text)) {
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
                    transmit(name.getBytes(StandardCharsets.US_ASCII));
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
                transmit(name.getBytes(StandardCharsets.US_ASCII));
                key = unwrapped;
                stage = Stage.JOINING; // its first message that decrypts joins it to the room
                wakeAt = nowNanos + RETRY_NANOS;
                transmit(seal(unwrapped, HELP));
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
        if (++retries > MAX_RETRIES) {
            fail();
        } else {
            sendSyn(nowNanos); // a new handshake replaces the unproven session its lost datagram left
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
        return Base64.getEncoder().encode(context.classicCipher.seal(k, text));
    }
}
