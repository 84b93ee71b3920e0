package io.ciphergram.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;

import io.ciphergram.crypto.ClassicKeyTransport;
import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.CryptoFailure;
import io.ciphergram.crypto.RsaKeys;
import io.ciphergram.crypto.SessionKey;
import io.ciphergram.protocol.ClassicCodec;
import io.ciphergram.protocol.ClassicFrame;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.Utf8;

/**
 * A client's end of one classic session: the seed's handshake, key exchange and registration, then
 * sealed text both ways. The console client and the tests share it.
 */
public final class ClassicConnection implements ChatConnection {

    /** How often the handshake is tried before giving up: UDP may lose a SYN. */
    private static final int SYN_ATTEMPTS = 5;

    private final DatagramLink link;
    private final Inbox inbox;
    private final SecureRandom random = new SecureRandom();
    private final ClassicMessageCipher cipher = new ClassicMessageCipher(random);
    private SessionKey key;

    private ClassicConnection(DatagramLink link, Inbox inbox) {
        this.link = link;
        this.inbox = inbox;
    }

    /**
     * Opens a session with the seed's handshake (SYN, SYN-ACK, ACK, key, username).
     *
     * @param name the username to register, or null for the no-handshake variant (key only, guest name)
     */
    public static ClassicConnection open(InetSocketAddress server, String name, Duration timeout) throws IOException {
        Inbox inbox = new Inbox();
        DatagramLink link = DatagramLink.connect(server, ClassicCodec.MAX_DATAGRAM, inbox);
        try {
            ClassicConnection connection = new ClassicConnection(link, inbox);
            connection.establish(name, timeout);
            return connection;
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private void establish(String name, Duration timeout) throws IOException {
        KeyPair keyPair = RsaKeys.generate(random);
        long deadline = System.nanoTime() + timeout.toNanos();
        if (name != null) {
            handshake(Math.max(1, timeout.toMillis() / SYN_ATTEMPTS));
        }
        link.send(ClassicCodec.encode(new ClassicFrame.PublicKeyOffer((RSAPublicKey) keyPair.getPublic())));
        byte[] reply = keyReply(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        try {
            ClassicFrame frame = ClassicCodec.decodeFromServer(reply, ClassicCodec.ServerExpects.KEY_REPLY);
            key = ClassicKeyTransport.unwrap(keyPair.getPrivate(), ((ClassicFrame.KeyReply) frame).encryptedKey());
        } catch (FrameException | CryptoFailure | ClassCastException e) {
            throw new IOException("the server's key reply could not be read");
        }
        if (name != null) {
            link.send(ClassicCodec.encode(new ClassicFrame.Username(name)));
        }
    }

    private void handshake(long waitMillis) throws IOException {
        byte[] synAck = ClassicCodec.encode(new ClassicFrame.SynAck());
        for (int attempt = 0; attempt < SYN_ATTEMPTS; attempt++) {
            link.send(ClassicCodec.encode(new ClassicFrame.Syn()));
            // null (nothing in time) or anything else: the SYN or its answer may have been lost; try again
            if (Arrays.equals(take(waitMillis), synAck)) {
                link.send(ClassicCodec.encode(new ClassicFrame.Ack()));
                return;
            }
        }
        throw new IOException("no SYN-ACK from the server after " + SYN_ATTEMPTS + " attempts");
    }

    /** Seed clients read the first datagram after SYN-ACK as the key; a duplicated SYN-ACK is skipped. */
    private byte[] keyReply(long timeoutMillis) throws IOException {
        byte[] synAck = ClassicCodec.encode(new ClassicFrame.SynAck());
        while (true) {
            byte[] datagram = take(timeoutMillis);
            if (datagram == null) {
                throw new IOException("no key reply from the server");
            }
            if (!Arrays.equals(datagram, synAck)) {
                return datagram;
            }
        }
    }

    /** Seals and sends one line of text. */
    @Override
    public void sendText(String text) throws IOException {
        if (!link.send(ClassicCodec.encode(new ClassicFrame.Sealed(cipher.seal(key, text))))) {
            throw new SocketException("the UDP socket is closed");
        }
    }

    /** Blocks for the next message; datagrams that do not decrypt are skipped (seed clients ignore them too). */
    @Override
    public String receiveText() throws IOException {
        while (true) {
            try {
                return receiveSealedText();
            } catch (CryptoFailure e) {
                // skipped
            }
        }
    }

    @Override
    public boolean awaitDelivered(Duration timeout) {
        return true; // UDP without acknowledgements: nothing to wait for
    }

    @Override
    public String describe() {
        return "classic profile";
    }

    /**
     * Blocks for the next message from the server and opens it.
     *
     * @throws CryptoFailure if it does not decrypt
     */
    public String receiveSealedText() throws IOException, CryptoFailure {
        byte[] datagram = take(0);
        try {
            ClassicFrame frame = ClassicCodec.decodeFromServer(datagram, ClassicCodec.ServerExpects.MESSAGE);
            if (!(frame instanceof ClassicFrame.Sealed sealed)) {
                throw new CryptoFailure();
            }
            return Utf8.decode(cipher.open(key, sealed.ivAndCiphertext()), DropReason.UNDECRYPTABLE);
        } catch (FrameException e) {
            throw new CryptoFailure();
        }
    }

    private byte[] take(long timeoutMillis) throws IOException {
        try {
            return inbox.take(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** Sends a datagram as it is, outside the protocol: for tests and diagnostics. */
    public void sendRaw(byte[] datagram) throws IOException {
        link.send(datagram);
    }

    public InetSocketAddress localAddress() {
        return link.localAddress();
    }

    @Override
    public void close() {
        link.close();
    }
}
