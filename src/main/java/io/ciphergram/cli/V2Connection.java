package io.ciphergram.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.ciphergram.crypto.Fingerprint;
import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.FrameException;
import io.ciphergram.protocol.Utf8;
import io.ciphergram.protocol.v2.ClientHandshake;
import io.ciphergram.protocol.v2.SecureChannel;
import io.ciphergram.protocol.v2.V2Codec;
import io.ciphergram.protocol.v2.V2Frame;

/**
 * A client's end of a v2 session over a plain UDP socket: the cookie handshake with retries, server
 * authentication (the caller decides whether the fingerprint is trusted), then one I/O thread that owns
 * the {@link SecureChannel}: it receives, acknowledges, retransmits and paces to the server's limits.
 */
public final class V2Connection implements ChatConnection {

    /** Decides whether the server's identity is trusted; throws to refuse it. */
    @FunctionalInterface
    public interface Trust {
        void check(Fingerprint presented) throws IOException;
    }

    private static final int HANDSHAKE_ATTEMPTS = 6;
    private static final long MAX_POLL_MILLIS = 20;
    /** Marks the end of the incoming lines; compared by identity, so no text can be mistaken for it. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String END = new String("end of session");

    private final Link link;
    private final SecureChannel channel;
    private final V2Frame.Limits limits;
    private final Fingerprint fingerprint;
    private final BlockingQueue<String> incoming = new LinkedBlockingQueue<>();
    private final Thread io;
    private volatile IOException failure;
    private volatile boolean ended;
    /** The server ended the session (after /quit): it had processed, in order, everything sent before. */
    private volatile boolean closedByServer;
    /** This client asked to leave: a Close from the server then only confirms it. */
    private volatile boolean quitSent;

    private V2Connection(Link link, ClientHandshake.Established established, long now) {
        this.link = link;
        this.limits = established.limits();
        this.fingerprint = established.fingerprint();
        this.channel = SecureChannel.client(established, now);
        this.io = new Thread(this::run, "ciphergram-v2-io");
        io.setDaemon(true);
        io.start();
    }

    public static V2Connection open(InetSocketAddress server, String name, Duration timeout, Trust trust) throws IOException {
        return open(DatagramLink.connect(server, V2Codec.MAX_DATAGRAM), name, timeout, trust);
    }

    /** Over the server's WebSocket gateway ({@code ws://host:8080/ws}): the same protocol, one frame per datagram. */
    public static V2Connection open(URI gateway, String name, Duration timeout, Trust trust) throws IOException {
        return open(WebSocketLink.connect(gateway, timeout), name, timeout, trust);
    }

    private static V2Connection open(Link link, String name, Duration timeout, Trust trust) throws IOException {
        try {
            ClientHandshake handshake = new ClientHandshake(name, new SecureRandom());
            ClientHandshake.Established established = handshake(link, handshake, timeout);
            trust.check(established.fingerprint());
            return new V2Connection(link, established, System.nanoTime());
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /**
     * Hello until a Retry, then KeyOffer until a KeyReply; each lost datagram is simply sent again. A reply
     * that is not the answer (a stray or forged datagram, a KeyReply that does not verify) is ignored and
     * the client keeps waiting: one injected datagram must not end a handshake the server would complete.
     */
    private static ClientHandshake.Established handshake(Link link, ClientHandshake handshake,
            Duration timeout) throws IOException {
        long waitNanos = Math.max(1, timeout.toNanos() / HANDSHAKE_ATTEMPTS);
        byte[] pending = handshake.hello();
        for (int attempt = 0; attempt < HANDSHAKE_ATTEMPTS * 2; attempt++) {
            link.send(pending);
            long deadline = System.nanoTime() + waitNanos;
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                byte[] answer = link.receive((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                if (answer == null) {
                    break; // lost either way (or nobody listening yet): send the same datagram again
                }
                try {
                    V2Frame frame = V2Codec.decode(answer);
                    if (frame instanceof V2Frame.Retry retry && !handshake.offered()) {
                        pending = handshake.onRetry(retry);
                        break;
                    } else if (frame instanceof V2Frame.KeyReply reply && handshake.offered()) {
                        return handshake.onKeyReply(reply);
                    }
                } catch (FrameException | ClientHandshake.HandshakeException e) {
                    // not the answer (a classic server, or a reply that does not verify): keep waiting
                }
            }
        }
        throw new IOException("no v2 handshake answer from the server (is it a Ciphergram server? try --classic)");
    }

    /** This client's own address, as the server sees it on loopback. */
    public InetSocketAddress localAddress() {
        return link.localAddress();
    }

    public Fingerprint fingerprint() {
        return fingerprint;
    }

    public V2Frame.Limits limits() {
        return limits;
    }

    @Override
    public void sendText(String text) throws IOException {
        if (text.strip().toLowerCase(Locale.ROOT).startsWith("/quit")) {
            quitSent = true;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > limits.maxMessageBytes()) {
            throw new IOException("message of " + utf8.length + " bytes is over the server's limit of "
                    + limits.maxMessageBytes());
        }
        while (true) {
            checkAlive();
            synchronized (channel) {
                if (channel.offer(utf8)) {
                    return;
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(MAX_POLL_MILLIS); // queue full: the I/O thread drains it at the paced rate
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    @Override
    public String receiveText() throws IOException {
        try {
            String line = incoming.take();
            if (line == END) {
                incoming.offer(END);
                if (failure != null) {
                    throw failure;
                }
                return null;
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public boolean awaitDelivered(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (channel) {
                if (channel.allAcknowledged() || closedByServer) {
                    return true;
                }
            }
            checkAlive();
            TimeUnit.MILLISECONDS.sleep(MAX_POLL_MILLIS);
        }
        return false;
    }

    @Override
    public boolean endedByServer() {
        return closedByServer && !quitSent;
    }

    /** Messages offered and not yet acknowledged are still pending. */
    public boolean allAcknowledged() {
        synchronized (channel) {
            return channel.allAcknowledged();
        }
    }

    @Override
    public String describe() {
        return "v2 profile, server " + fingerprint;
    }

    private void checkAlive() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            throw new IOException("the session has ended");
        }
    }

    private void run() {
        try {
            while (!ended) {
                long now = System.nanoTime();
                List<byte[]> out;
                long wake;
                synchronized (channel) {
                    out = channel.poll(now);
                    wake = channel.nextWakeNanos(now);
                    if (channel.failure().isPresent()) {
                        throw new IOException("the server stopped acknowledging messages");
                    }
                    if (now - channel.lastReceivedNanos() > TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds())) {
                        throw new IOException("nothing heard from the server for " + limits.idleTimeoutSeconds() + " s");
                    }
                }
                for (byte[] datagram : out) {
                    link.send(datagram);
                }
                long waitMillis = Math.max(1, Math.min(MAX_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(wake - now)));
                byte[] datagram = link.receive((int) waitMillis);
                if (datagram != null) {
                    receive(datagram);
                }
            }
        } catch (SocketException e) {
            if (!ended) {
                failure = new IOException("socket closed");
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            ended = true;
            incoming.offer(END);
        }
    }

    private void receive(byte[] datagram) {
        try {
            V2Frame frame = V2Codec.decode(datagram);
            if (!(frame instanceof V2Frame.Data data)) {
                return; // a late handshake datagram
            }
            SecureChannel.Inbound inbound;
            synchronized (channel) {
                inbound = channel.open(data, System.nanoTime());
            }
            for (byte[] message : inbound.messages()) {
                incoming.offer(Utf8.decode(message, DropReason.MALFORMED_FRAME));
            }
            if (inbound.closed()) {
                closedByServer = true;
                ended = true;
            }
        } catch (FrameException e) {
            // replayed, forged or malformed: dropped, exactly as the server does
        }
    }

    /** Tells the server the session is over (best effort: a lost Close ends by idle timeout) and closes. */
    @Override
    public void close() {
        if (!ended) {
            ended = true;
            try {
                byte[] close;
                synchronized (channel) {
                    close = channel.close(System.nanoTime());
                }
                link.send(close);
            } catch (IOException | RuntimeException e) {
                // closing anyway
            }
        }
        link.close();
        try {
            io.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
