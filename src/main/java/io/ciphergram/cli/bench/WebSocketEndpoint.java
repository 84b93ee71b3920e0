package io.ciphergram.cli.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A client's connection to the server's WebSocket gateway ({@code ws://HOST:PORT/ws}, docs/PROTOCOL.md,
 * "v2 over WebSocket"): one binary message per datagram each way. The JDK client allows one send in
 * flight per connection, so sends queue here and each completion starts the next. Received messages are
 * handed to the client on the HTTP client's executor threads, which the run gives a fixed small pool.
 */
final class WebSocketEndpoint implements Endpoint, WebSocket.Listener {

    private final BenchClient client;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private ByteArrayOutputStream partial;
    private boolean sending;
    private volatile boolean closed;
    private WebSocket socket;

    private WebSocketEndpoint(BenchClient client) {
        this.client = client;
    }

    static WebSocketEndpoint connect(HttpClient http, URI gateway, BenchClient client, Duration timeout) throws IOException {
        WebSocketEndpoint endpoint = new WebSocketEndpoint(client);
        try {
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(gateway, endpoint)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            synchronized (endpoint) {
                endpoint.socket = socket;
            }
            return endpoint;
        } catch (ExecutionException e) {
            throw new IOException("cannot open the WebSocket to " + gateway + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new IOException("no answer from " + gateway + " within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public boolean send(byte[] datagram) {
        if (closed) {
            return false;
        }
        synchronized (this) {
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
            closed = true;
            synchronized (this) {
                queue.clear();
                sending = false;
            }
            return;
        }
        pump();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] datagram;
        if (partial == null && last) {
            datagram = new byte[data.remaining()];
            data.get(datagram);
        } else {
            if (partial == null) {
                partial = new ByteArrayOutputStream();
            }
            byte[] part = new byte[data.remaining()];
            data.get(part);
            partial.write(part, 0, part.length);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            datagram = partial.toByteArray();
            partial = null;
        }
        try {
            client.onDatagram(datagram, System.nanoTime());
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
        closed = true;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed = true;
    }

    /** Sends what is queued (a v2 Close record, at the end of a run) for up to half a second, then closes. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + 500_000_000L;
        while (stillSending() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        closed = true;
        WebSocket ws;
        synchronized (this) {
            ws = socket;
        }
        if (ws != null) {
            // the connection's end ends the session too, should the Close record not have made it
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((w, e) -> ws.abort());
        }
    }

    private synchronized boolean stillSending() {
        return sending && !closed;
    }
}
