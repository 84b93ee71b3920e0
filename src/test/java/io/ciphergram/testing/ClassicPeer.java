package io.ciphergram.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import io.ciphergram.cli.ClassicConnection;
import io.ciphergram.crypto.CryptoFailure;

/** A classic client for tests: connects over real UDP and collects every line it receives. */
public final class ClassicPeer implements AutoCloseable {

    public static final Duration WAIT = Lines.WAIT;

    private final ClassicConnection connection;
    private final Lines received = new Lines();
    private final Thread receiver;

    private ClassicPeer(ClassicConnection connection) {
        this.connection = connection;
        this.receiver = new Thread(this::receiveLoop, "test-peer-receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Handshake, key exchange and registration as {@code name}. */
    public static ClassicPeer join(int port, String name) throws IOException {
        return new ClassicPeer(ClassicConnection.open(new InetSocketAddress("127.0.0.1", port), name, WAIT));
    }

    /** The no-handshake variant: the key alone, no username. */
    public static ClassicPeer joinWithoutHandshake(int port) throws IOException {
        return new ClassicPeer(ClassicConnection.open(new InetSocketAddress("127.0.0.1", port), null, WAIT));
    }

    public void say(String text) throws IOException {
        connection.sendText(text);
    }

    /** Sends bytes outside the protocol, from this peer's address. */
    public void sendRaw(byte[] datagram) throws IOException {
        connection.sendRaw(datagram);
    }

    /** Waits until a received line matches, and returns it. */
    public String awaitLine(Predicate<String> matching) {
        return received.await(matching);
    }

    public String awaitLine(String exact) {
        return received.await(exact);
    }

    public List<String> received() {
        return received.snapshot();
    }

    public int localPort() {
        return connection.localAddress().getPort();
    }

    private void receiveLoop() {
        while (true) {
            try {
                received.add(connection.receiveSealedText());
            } catch (CryptoFailure e) {
                received.add("<undecryptable>");
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
