package io.ciphergram.cli.link;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import io.ciphergram.protocol.v2.V2Codec;

/**
 * The server's WebSocket gateway ({@code ws://HOST:PORT/ws}, docs/PROTOCOL.md "v2 over WebSocket") as a
 * datagram link, with the JDK's WebSocket client: one binary message per datagram each way. The console
 * client and the load generator share it. Nothing is lost on the way, but the protocol above runs exactly
 * as over UDP.
 *
 * <p>Receiving: a binary message may come in parts; they are joined here, and a message that grows past
 * {@link V2Codec#MAX_DATAGRAM} (no v2 datagram is larger) closes the connection (1009, message too big)
 * instead of being buffered: a hostile server cannot make the client hold more than one datagram. Text
 * messages are ignored. The listener runs on the HTTP client's executor, one call at a time.
 *
 * <p>Sending: the JDK client allows one send in flight per connection, so datagrams queue here (at most
 * {@link #MAX_QUEUED}; more are refused, as a full socket buffer drops them) and each completion starts
 * the next. {@link #send} never blocks.
 */
public final class WebSocketLink implements Link, WebSocket.Listener {

    /** Datagrams waiting to be written: a v2 window and then some. */
    static final int MAX_QUEUED = 1024;
    /** How long {@link #close} lets queued datagrams (a Close record) go out before it closes. */
    private static final long CLOSE_DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Link.Receiver receiver;
    private final String gateway;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** The binary message being received, joined from its parts; touched only by the listener's calls. */
    private ByteBuffer partial;
    private boolean sending;
    private volatile boolean closed;
    private WebSocket socket;

    private WebSocketLink(URI gateway, Link.Receiver receiver) {
        this.gateway = gateway.toString();
        this.receiver = receiver;
    }

    /**
     * Opens the WebSocket within {@code timeout}.
     *
     * @throws IOException saying what was tried and what failed, fit for the user
     */
    public static WebSocketLink connect(HttpClient http, URI gateway, Duration timeout, Link.Receiver receiver)
            throws IOException {
        WebSocketLink link = new WebSocketLink(gateway, receiver);
        long start = System.nanoTime();
        try {
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(gateway, link)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            synchronized (link) {
                link.socket = socket;
            }
            return link;
        } catch (ExecutionException e) {
            throw new IOException(refusal(gateway, e.getCause(), timeout));
        } catch (TimeoutException e) {
            throw new IOException("no answer from " + gateway + " within " + seconds(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** Why opening a WebSocket failed, in words that name what was tried and the next step. */
    static String refusal(URI gateway, Throwable cause, Duration timeout) {
        String where = gateway.getHost() + ":" + (gateway.getPort() > 0 ? gateway.getPort()
                : "wss".equals(gateway.getScheme()) ? 443 : 80);
        if (cause instanceof WebSocketHandshakeException handshake) {
            return "the server at " + gateway + " answered HTTP " + handshake.getResponse().statusCode()
                    + " instead of opening a WebSocket: is " + gateway.getPath() + " its gateway? (Ciphergram's is /ws)";
        }
        if (cause instanceof HttpConnectTimeoutException || cause instanceof HttpTimeoutException) {
            return "no answer from " + where + " within " + timeout.toSeconds() + " s (is the server running? is --server right?)";
        }
        if (cause instanceof ConnectException || cause instanceof UnresolvedAddressException) {
            Throwable root = cause;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof UnresolvedAddressException) {
                return "cannot resolve the host " + gateway.getHost() + " of " + gateway;
            }
            return "nothing accepts connections at " + where + " (is the server running? its HTTP port is"
                    + " quarkus.http.port, 8080 by default)";
        }
        if (cause instanceof IOException io && io.getMessage() != null) {
            return "cannot open the WebSocket to " + gateway + ": " + io.getMessage();
        }
        return "cannot open the WebSocket to " + gateway + " (" + cause.getClass().getSimpleName() + ")";
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    @Override
    public boolean send(byte[] datagram) {
        if (closed) {
            return false;
        }
        synchronized (this) {
            if (queue.size() >= MAX_QUEUED) {
                return false;
            }
            queue.add(ByteBuffer.wrap(datagram));
            if (sending) {
                return true;
            }
            sending = true;
        }
        pump();
        return true;
    }

    /** Sends queued datagrams one at a time; a send still in flight continues the pump when it completes. */
    private void pump() {
        while (true) {
            ByteBuffer next;
            WebSocket ws;
            synchronized (this) {
                next = queue.poll();
                ws = socket;
                if (next == null || closed || ws == null) {
                    sending = false;
                    return;
                }
            }
            CompletableFuture<WebSocket> sent = ws.sendBinary(next, true);
            if (!sent.isDone()) {
                sent.whenComplete((w, error) -> afterSend(error));
                return;
            }
            if (sent.isCompletedExceptionally()) {
                afterSend(new IOException("send failed"));
                return;
            }
        }
    }

    private void afterSend(Throwable error) {
        if (error != null) {
            end("the WebSocket to " + gateway + " failed while sending");
            return;
        }
        pump();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        synchronized (this) {
            if (socket == null) {
                socket = webSocket; // the pump may start before connect() returns
            }
        }
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        int had = partial == null ? 0 : partial.position();
        if (had + data.remaining() > V2Codec.MAX_DATAGRAM) {
            partial = null;
            end("the server at " + gateway + " sent a WebSocket message over " + V2Codec.MAX_DATAGRAM
                    + " bytes, which no v2 datagram is; closed");
            webSocket.sendClose(1009, "message too big").whenComplete((w, e) -> webSocket.abort());
            return null; // nothing more is requested
        }
        byte[] datagram;
        if (partial == null && last) {
            datagram = new byte[data.remaining()];
            data.get(datagram);
        } else {
            if (partial == null) {
                partial = ByteBuffer.allocate(V2Codec.MAX_DATAGRAM);
            }
            partial.put(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            datagram = new byte[partial.position()];
            partial.flip().get(datagram);
            partial = null;
        }
        try {
            receiver.onDatagram(datagram);
        } finally {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        webSocket.request(1); // the gateway never sends text
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        end("the server closed the WebSocket (" + statusCode + (reason.isEmpty() ? "" : " " + reason) + ")");
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        end("the WebSocket to " + gateway + " failed (" + (error.getMessage() != null ? error.getMessage()
                : error.getClass().getSimpleName()) + ")");
    }

    private void end(String why) {
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
            queue.clear();
            sending = false;
        }
        if (first) {
            receiver.onClosed(why);
        }
    }

    /** Lets what is queued (a v2 Close record) go out for up to half a second, then closes the connection. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
        while (stillSending() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        WebSocket ws;
        synchronized (this) {
            ws = socket;
        }
        end("the WebSocket was closed");
        if (ws != null) {
            // the connection's end ends the session too, should a Close record not have made it
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((w, e) -> ws.abort());
        }
    }

    private synchronized boolean stillSending() {
        return sending && !closed;
    }
}
