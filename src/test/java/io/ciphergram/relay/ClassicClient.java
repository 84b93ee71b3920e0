package io.ciphergram.relay;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;

import io.ciphergram.crypto.ClassicKeyTransport;
import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.PeerId;

/** A classic client driven by hand against a {@link RelayFixture}, as the seed's clients behave. */
final class ClassicClient {

    /** One key pair for every test client: RSA key generation is slow and nothing here depends on it. */
    static final KeyPair KEYS = RsaKeys.generate(new SecureRandom());
    private static final ClassicMessageCipher CIPHER = new ClassicMessageCipher(new SecureRandom());

    final RelayFixture fixture;
    final PeerId peer;
    SessionKey key;
    /**
     * The index of the first datagram after the key reply: what came before it cannot be a message for
     * this key, and the key reply itself (344 base64 characters, like a 240-byte message) would open with
     * valid padding about once in 256 tries if it were read as one.
     */
    private int textsFrom;

    ClassicClient(RelayFixture fixture, PeerId peer) {
        this.fixture = fixture;
        this.peer = peer;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] keyDatagram() {
        return ClassicCodec.encode(new ClassicFrame.PublicKeyOffer((RSAPublicKey) KEYS.getPublic()));
    }

    void send(byte[] datagram) {
        fixture.relay.onDatagram(peer, datagram);
    }

    /** SYN, ACK, key, username: the seed's full handshake. */
    ClassicClient join(String name) {
        send(ascii("SYN"));
        send(ascii("ACK"));
        sendKey();
        send(name.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /**
     * Joins and sends its first message (a quiet {@code /help}), which proves to the server that this
     * client receives at its address: only then is it a member of the room.
     */
    ClassicClient joinRoom(String name) {
        join(name);
        say("/help");
        return this;
    }

    /** The no-handshake variant: the key alone. */
    ClassicClient joinAsGuest() {
        sendKey();
        return this;
    }

    /** Sends the public key and takes the session key from the reply, as a seed client would. */
    void sendKey() {
        int before = fixture.sentTo(peer).size();
        send(keyDatagram());
        takeKeyReply(before);
    }

    /**
     * Takes the session key from the first key reply among the datagrams sent to this address from the
     * {@code from}-th on (for a test that lets the reply come later than the key).
     */
    void takeKeyReply(int from) {
        key = null;
        List<byte[]> sent = fixture.sentTo(peer);
        for (int i = from; i < sent.size(); i++) {
            try {
                ClassicFrame reply = ClassicCodec.decodeFromServer(sent.get(i), ClassicCodec.ServerExpects.KEY_REPLY);
                key = ClassicKeyTransport.unwrap(KEYS.getPrivate(), ((ClassicFrame.KeyReply) reply).encryptedKey());
                textsFrom = i + 1;
            } catch (FrameException | CryptoFailure | ClassCastException e) {
                // not the key reply
            }
        }
    }

    byte[] sealed(String text) {
        return ClassicCodec.encode(new ClassicFrame.Sealed(CIPHER.seal(key, text)));
    }

    void say(String text) {
        send(sealed(text));
    }

    /** Every datagram the relay sent this address. */
    List<byte[]> datagrams() {
        return fixture.sentTo(peer);
    }

    /** Every text this client could read after its key reply, in order, as a seed client reads them. */
    List<String> texts() {
        List<String> texts = new ArrayList<>();
        List<byte[]> all = datagrams();
        for (byte[] d : all.subList(Math.min(textsFrom, all.size()), all.size())) {
            try {
                ClassicFrame frame = ClassicCodec.decodeFromServer(d, ClassicCodec.ServerExpects.MESSAGE);
                if (frame instanceof ClassicFrame.Sealed s && key != null) {
                    texts.add(new String(CIPHER.open(key, s.ivAndCiphertext()), StandardCharsets.UTF_8));
                }
            } catch (FrameException | CryptoFailure e) {
                // SYN-ACK, the key reply, or something for another key
            }
        }
        return texts;
    }
}
