package io.ciphergram.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server's WebSocket gateway as a datagram link, with the JDK's WebSocket client: each datagram is one
 * binary message. Nothing is lost on the way, but the protocol above runs exactly as over UDP.
 */
final class WebSocketLink implements Link {

    /** Marks the end of the incoming datagrams; compared by identity. */
    private static final byte[] CLOSED = new byte[0];

    private final BlockingQueue<byte[]> incoming = new LinkedBlockingQueue<>();
    private final WebSocket socket;
    private final InetSocketAddress local;
    private volatile boolean closed;

    private WebSocketLink(WebSocket socket, InetSocketAddress local) {
        this.socket = socket;
        this.local = local;
    }

    static WebSocketLink connect(URI gateway, Duration timeout) throws IOException {
        Receiver receiver = new Receiver();
        WebSocket socket;
        try {
            socket = HttpClient.newBuilder().connectTimeout(timeout).build().newWebSocketBuilder()
                    .connectTimeout(timeout).buildAsync(gateway, receiver).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("cannot open the WebSocket to " + gateway + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new IOException("no answer from " + gateway + " within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        WebSocketLink link = new WebSocketLink(socket, new InetSocketAddress(0));
        receiver.link = link;
        receiver.drain();
        return link;
    }

    @Override
    public void send(byte[] datagram) throws IOException {
        if (closed) {
            throw new SocketException("the WebSocket is closed");
        }
        try {
            socket.sendBinary(ByteBuffer.wrap(datagram), true).join();
        } catch (CompletionException e) {
            throw new SocketException("the WebSocket is closed");
        }
    }

    @Override
    public byte[] receive(int timeoutMillis) throws IOException {
        byte[] next;
        try {
            next = timeoutMillis == 0 ? incoming.take() : incoming.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (next == CLOSED) {
            incoming.offer(CLOSED);
            throw new SocketException("the WebSocket is closed");
        }
        return next;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
            incoming.offer(CLOSED);
        }
    }

    /** Collects each binary message (which may come in parts) as one datagram. */
    private static final class Receiver implements WebSocket.Listener {
        private final BlockingQueue<byte[]> early = new LinkedBlockingQueue<>();
        private volatile WebSocketLink link;
        private ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] part = new byte[data.remaining()];
            data.get(part);
            partial.write(part, 0, part.length);
            if (last) {
                deliver(partial.toByteArray());
                partial = new ByteArrayOutputStream();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            webSocket.request(1); // the gateway never sends text
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            deliver(CLOSED);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            deliver(CLOSED);
        }

        private synchronized void deliver(byte[] datagram) {
            if (link == null) {
                early.offer(datagram);
            } else {
                link.incoming.offer(datagram);
            }
        }

        synchronized void drain() {
            early.drainTo(link.incoming);
        }
    }
}
