package io.ciphergram.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import io.ciphergram.cli.ClassicConnection;
import io.ciphergram.crypto.CryptoFailure;

/** A classic client for tests: connects over real UDP and collects every line it receives. */
public final class ClassicPeer extends ChatPeer<ClassicConnection> {

    public static final Duration WAIT = Lines.WAIT;

    private ClassicPeer(ClassicConnection connection) {
        super(connection);
    }

    /** Handshake, key exchange and registration as {@code name}. */
    public static ClassicPeer join(int port, String name) throws IOException {
        return new ClassicPeer(ClassicConnection.open(new InetSocketAddress("127.0.0.1", port), name, WAIT));
    }

    /** The no-handshake variant: the key alone, no username. */
    public static ClassicPeer joinWithoutHandshake(int port) throws IOException {
        return new ClassicPeer(ClassicConnection.open(new InetSocketAddress("127.0.0.1", port), null, WAIT));
    }

    /** Sends bytes outside the protocol, from this peer's address. */
    public void sendRaw(byte[] datagram) throws IOException {
        connection.sendRaw(datagram);
    }

    public int localPort() {
        return connection.localAddress().getPort();
    }

    @Override
    protected void receiveLoop() {
        while (true) {
            try {
                received.add(connection.receiveSealedText());
            } catch (CryptoFailure e) {
                received.add("<undecryptable>");
            } catch (IOException e) {
                return; // closed
            }
        }
    }
}
