package io.ciphergram.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import io.ciphergram.cli.ClassicConnection;
import io.ciphergram.crypto.CryptoFailure;

/** A classic client for tests: connects over real UDP and collects every line it receives. */
public final class ClassicPeer implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(10);

    private final ClassicConnection connection;
    private final List<String> received = new CopyOnWriteArrayList<>();
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
        return await().atMost(WAIT).until(() -> received.stream().filter(matching).findFirst().orElse(null),
                line -> line != null);
    }

    public String awaitLine(String exact) {
        return awaitLine(exact::equals);
    }

    public List<String> received() {
        return new ArrayList<>(received);
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
