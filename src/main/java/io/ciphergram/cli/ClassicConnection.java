package io.ciphergram.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
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
import io.ciphergram.protocol.FrameException;

/**
 * A client's end of one classic session, over a plain blocking UDP socket: the seed's handshake, key
 * exchange and registration, then sealed text both ways. The console client and the tests share it.
 */
public final class ClassicConnection implements ChatConnection {

    /** How often the handshake is tried before giving up: UDP may lose a SYN. */
    private static final int SYN_ATTEMPTS = 5;

    private final DatagramSocket socket;
    private final SecureRandom random = new SecureRandom();
    private final ClassicMessageCipher cipher = new ClassicMessageCipher(random);
    private final byte[] receiveBuffer = new byte[ClassicCodec.MAX_DATAGRAM + 1];
    private SessionKey key;
    private volatile int undecryptable;

    private ClassicConnection(DatagramSocket socket) {
        this.socket = socket;
    }

    /**
     * Opens a session with the seed's handshake (SYN, SYN-ACK, ACK, key, username).
     *
     * @param name the username to register, or null for the no-handshake variant (key only, guest name)
     */
    public static ClassicConnection open(InetSocketAddress server, String name, Duration timeout) throws IOException {
        DatagramSocket socket = new DatagramSocket();
        try {
            socket.connect(server);
            ClassicConnection connection = new ClassicConnection(socket);
            connection.establish(name, timeout);
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void establish(String name, Duration timeout) throws IOException {
        KeyPair keyPair = RsaKeys.generate(random);
        int waitMillis = (int) Math.max(1, timeout.toMillis() / SYN_ATTEMPTS);
        socket.setSoTimeout(waitMillis);
        if (name != null) {
            handshake();
        }
        send(ClassicCodec.encode(new ClassicFrame.PublicKeyOffer((RSAPublicKey) keyPair.getPublic())));
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        byte[] reply = receiveSkipping(ClassicCodec.ServerExpects.KEY_REPLY);
        try {
            ClassicFrame frame = ClassicCodec.decodeFromServer(reply, ClassicCodec.ServerExpects.KEY_REPLY);
            key = ClassicKeyTransport.unwrap(keyPair.getPrivate(), ((ClassicFrame.KeyReply) frame).encryptedKey());
        } catch (FrameException | CryptoFailure e) {
            throw new IOException("the server's key reply could not be read");
        }
        if (name != null) {
            send(ClassicCodec.encode(new ClassicFrame.Username(name)));
        }
        socket.setSoTimeout(0);
    }

    private void handshake() throws IOException {
        byte[] syn = ClassicCodec.encode(new ClassicFrame.Syn());
        byte[] synAck = ClassicCodec.encode(new ClassicFrame.SynAck());
        for (int attempt = 0; attempt < SYN_ATTEMPTS; attempt++) {
            send(syn);
            try {
                if (Arrays.equals(receive(), synAck)) {
                    send(ClassicCodec.encode(new ClassicFrame.Ack()));
                    return;
                }
            } catch (SocketTimeoutException e) {
                // try again: the SYN or its answer may have been lost
            }
        }
        throw new IOException("no SYN-ACK from the server after " + SYN_ATTEMPTS + " attempts");
    }

    /** The key reply is the first datagram after SYN-ACK; a duplicated SYN-ACK is skipped. */
    private byte[] receiveSkipping(ClassicCodec.ServerExpects expects) throws IOException {
        byte[] synAck = ClassicCodec.encode(new ClassicFrame.SynAck());
        while (true) {
            byte[] datagram = receive();
            if (!Arrays.equals(datagram, synAck)) {
                return datagram;
            }
        }
    }

    /** Seals and sends one line of text. */
    @Override
    public void sendText(String text) throws IOException {
        byte[] datagram = ClassicCodec.encode(new ClassicFrame.Sealed(cipher.seal(key, text)));
        send(datagram);
    }

    /** Blocks for the next message; datagrams that do not decrypt are skipped (seed clients ignore them too). */
    @Override
    public String receiveText() throws IOException {
        while (true) {
            try {
                return receiveSealedText();
            } catch (CryptoFailure e) {
                undecryptable++;
            }
        }
    }

    /** Datagrams received that did not decrypt. */
    public int undecryptable() {
        return undecryptable;
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
        byte[] datagram = receive();
        try {
            ClassicFrame frame = ClassicCodec.decodeFromServer(datagram, ClassicCodec.ServerExpects.MESSAGE);
            if (!(frame instanceof ClassicFrame.Sealed sealed)) {
                throw new CryptoFailure();
            }
            return cipher.open(key, sealed.ivAndCiphertext());
        } catch (FrameException e) {
            throw new CryptoFailure();
        }
    }

    /** Sends a datagram as it is, outside the protocol: for tests and diagnostics. */
    public void sendRaw(byte[] datagram) throws IOException {
        send(datagram);
    }

    public void setReceiveTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void send(byte[] datagram) throws IOException {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length));
        } catch (java.net.PortUnreachableException e) {
            // an earlier ICMP error surfacing on this send: UDP gives no delivery promise anyway
        }
    }

    private byte[] receive() throws IOException {
        DatagramPacket packet = new DatagramPacket(receiveBuffer, receiveBuffer.length);
        while (true) {
            try {
                socket.receive(packet);
                return Arrays.copyOf(packet.getData(), packet.getLength());
            } catch (java.net.PortUnreachableException e) {
                // an ICMP error for something we sent: not a datagram, and not the end of the session
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
