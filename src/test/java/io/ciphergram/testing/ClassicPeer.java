package io.ciphergram.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Predicate;

import io.ciphergram.cli.ClassicConnection;
import io.ciphergram.crypto.CryptoFailure;

/** A classic client for tests: connects over real UDP and collects every line it receives. */
public final class ClassicPeer extends ChatPeer<ClassicConnection> {

    public static final Duration WAIT = Lines.WAIT;

    private ClassicPeer(ClassicConnection connection) {
        super(connection);
    }

    /**
     * The welcome a classic client gets as {@code name}: before its first message proves its address it is
     * told to say something; when the kernel gave its socket the port of an earlier session that never said
     * goodbye (the original client does not), its registration is a new handshake at a known address, which
     * its first message completes, so it is welcomed as a member. Either is the whole line.
     */
    public static Predicate<String> welcome(String name) {
        String unproven = "* you are " + name + "; say something to join the room (/help lists commands)";
        String member = "* you are " + name + "; /help lists commands";
        return line -> line.equals(unproven) || line.equals(member);
    }

    /**
     * Handshake, key exchange and registration as {@code name}, then a first message ({@code /help}), which
     * proves this client receives at its address and so makes it a member of the room.
     */
    public static ClassicPeer join(int port, String name) throws IOException {
        ClassicPeer peer = new ClassicPeer(ClassicConnection.open(new InetSocketAddress("127.0.0.1", port), name, WAIT));
        peer.say("/help");
        peer.awaitLine(l -> l.startsWith("* commands"));
        return peer;
    }

    /** The no-handshake variant: the key alone, no username; then its first message, as {@link #join}. */
    public static ClassicPeer joinWithoutHandshake(int port) throws IOException {
        ClassicPeer peer = new ClassicPeer(ClassicConnection.open(new InetSocketAddress("127.0.0.1", port), null, WAIT));
        peer.say("/help");
        peer.awaitLine(l -> l.startsWith("* commands"));
        return peer;
    }

    /** Sends bytes outside the protocol, from this peer's address. */
    public void sendRaw(byte[] datagram) throws IOException {
        connection.sendRaw(datagram);
    }

    public int localPort() {
        return connection.localAddress().getPort();
    }

    /** Leaves with /quit, as a user would, before the socket closes (the classic format has no other goodbye). */
    @Override
    public void close() {
        try {
            connection.sendText("/quit");
        } catch (IOException e) {
            // closing anyway
        }
        super.close();
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
