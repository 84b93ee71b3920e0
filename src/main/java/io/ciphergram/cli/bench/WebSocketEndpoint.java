package io.ciphergram.cli.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.ciphergram.cli.link.Link;
import io.ciphergram.protocol.v2.V2Codec;

/**
 * One bench client's WebSocket to the gateway ({@code ws://HOST:PORT/ws}, docs/PROTOCOL.md "v2 over
 * WebSocket"), an RFC 6455 client of its own on a non-blocking {@link SocketChannel}: the generator's
 * WebSocket {@link Link}, whose receive side is a {@link DatagramLanes} thread, as for UDP. It replaces the
 * JDK's {@code HttpClient} WebSocket in the generator (the console client keeps that one, with wss and
 * proxies), which took 38 µs of the generator's CPU per delivery at a quarter of capacity against 20 µs over
 * UDP: one future and one executor hand-off per message, and one send in flight per connection.
 *
 * <p>Sending: a datagram is framed (binary, FIN, masked as a client must, RFC 6455 section 5.3) and written
 * at once on the calling thread (the sender, a receive thread's ack, the ticker; one lock per connection);
 * what the socket does not take waits in a bounded buffer that the lane's thread writes when the socket is
 * writable. A datagram that does not fit is refused, as a full UDP socket buffer drops it: the v2 protocol
 * above retransmits. The masking key comes from {@link ThreadLocalRandom}: masking protects intermediaries
 * from script-chosen bytes in a browser (section 10.3), which a load generator does not run.
 *
 * <p>Receiving (on the lane's thread only): frames are parsed from a per-connection buffer; a binary
 * message, whole or in parts, is one datagram, at most {@link V2Codec#MAX_DATAGRAM} bytes; more closes the
 * connection (1009), as the console client's link does, so a hostile server cannot make a client hold more.
 * Text is ignored, a ping is answered, a close is answered and ends the link; anything else (a masked or
 * reserved-bit frame, an unknown opcode, a continuation without a start) closes it (1002).
 */
final class WebSocketEndpoint implements Link, DatagramLanes.LaneSocket {

    /** RFC 6455 section 1.3: appended to the client's key to make the server's accept value. */
    static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** Bytes the socket has not taken yet that a connection may hold: a v2 send window and then some. */
    static final int MAX_PENDING = 1 << 20;
    /** The longest upgrade response read before giving up on it. */
    private static final int MAX_RESPONSE_HEADERS = 8_192;
    /** How long {@link #close} lets pending bytes (a Close record) go out before it closes. */
    private static final long CLOSE_DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final int MAX_CONTROL_PAYLOAD = 125;
    /** A frame's largest header as a client writes it: 2 bytes, 8 of extended length, 4 of mask. */
    private static final int MAX_HEADER = 14;

    private final SocketChannel channel;
    private final String gateway;
    private final InetSocketAddress local;
    /** One frame being written, then what the socket did not take; both under this object's lock. */
    private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_HEADER + V2Codec.MAX_DATAGRAM + MAX_CONTROL_PAYLOAD);
    private final ByteBuffer pending = ByteBuffer.allocate(MAX_PENDING);
    /** What has been read and not yet parsed; the lane's thread only. */
    private final ByteBuffer in = ByteBuffer.allocateDirect(16_384);
    /** The binary message being joined from its parts; the lane's thread only. */
    private byte[] partial;
    private int partialLength;
    private boolean inText;
    private volatile SelectionKey key;
    private BenchClient client;
    private volatile String closedWhy;

    private WebSocketEndpoint(SocketChannel channel, URI gateway) throws IOException {
        this.channel = channel;
        this.gateway = gateway.toString();
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Opens the connection from {@code source} (null: any) and upgrades it within {@code timeout}, blocking;
     * the endpoint is then non-blocking, to be registered with a lane.
     *
     * @throws IOException saying what was tried and what failed, fit for the user
     */
    static WebSocketEndpoint connect(URI gateway, InetAddress source, Duration timeout, SecureRandom random) throws IOException {
        if (!"ws".equalsIgnoreCase(gateway.getScheme())) {
            throw new IOException("the bench speaks ws:// to the gateway, not " + gateway.getScheme() + "://: run it"
                    + " beside the server, or use the console client for wss");
        }
        int port = gateway.getPort() > 0 ? gateway.getPort() : 80;
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (source != null) {
                channel.bind(new InetSocketAddress(source, 0));
            }
            try {
                channel.socket().connect(new InetSocketAddress(gateway.getHost(), port), millis);
            } catch (ConnectException e) {
                throw new IOException("nothing accepts connections at " + gateway.getHost() + ":" + port
                        + " (is the server running? its HTTP port is quarkus.http.port, 8080 by default)");
            } catch (SocketTimeoutException e) {
                throw new IOException("no answer from " + gateway.getHost() + ":" + port + " within " + timeout.toSeconds()
                        + " s (is the server running? is --server right?)");
            }
            channel.socket().setSoTimeout(millis);
            upgrade(channel, gateway, port, random);
            channel.configureBlocking(false);
            return new WebSocketEndpoint(channel, gateway);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** RFC 6455 section 4.1: the opening handshake, answered by 101 and the accept value of our key. */
    private static void upgrade(SocketChannel channel, URI gateway, int port, SecureRandom random) throws IOException {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String path = gateway.getRawPath() == null || gateway.getRawPath().isEmpty() ? "/" : gateway.getRawPath();
        if (gateway.getRawQuery() != null) {
            path += "?" + gateway.getRawQuery();
        }
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + gateway.getHost() + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        ByteBuffer bytes = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        String response = readHeaders(channel.socket().getInputStream(), gateway);
        String[] lines = response.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.") || !"101".equals(status[1])) {
            throw new IOException("the server at " + gateway + " answered " + (status.length < 2 ? lines[0] : "HTTP " + status[1])
                    + " instead of opening a WebSocket: is " + path + " its gateway? (Ciphergram's is /ws)");
        }
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Accept")) {
                accept = lines[i].substring(colon + 1).trim();
            }
        }
        if (!acceptFor(key).equals(accept)) {
            throw new IOException("the server at " + gateway + " answered 101 without the accept value of our key"
                    + " (RFC 6455 section 4.1): not a WebSocket server");
        }
    }

    /** The server's answer to {@code key}: base64 of SHA-1 over the key and the GUID. */
    static String acceptFor(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** Reads up to the blank line that ends the headers, a byte at a time: nothing after it is taken. */
    private static String readHeaders(InputStream in, URI gateway) throws IOException {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        int matched = 0;
        try {
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the server at " + gateway + " closed the connection instead of answering the upgrade");
                }
                headers.write(b);
                matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
                if (headers.size() > MAX_RESPONSE_HEADERS) {
                    throw new IOException("the server at " + gateway + " answered the upgrade with over "
                            + MAX_RESPONSE_HEADERS + " bytes of headers");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("the server at " + gateway + " did not answer the upgrade in time");
        }
        return headers.toString(StandardCharsets.US_ASCII);
    }

    /** Where its datagrams go, and the lane whose thread reads it; once, before the lane starts. */
    void register(SelectionKey registered, BenchClient receiver) {
        this.key = registered;
        this.client = receiver;
    }

    SocketChannel channel() {
        return channel;
    }

    InetSocketAddress localAddress() {
        return local;
    }

    /** Why the connection ended, or null while it is open. */
    String closedWhy() {
        return closedWhy;
    }

    @Override
    public boolean send(byte[] datagram) {
        return sendFrame(OP_BINARY, datagram, 0, datagram.length);
    }

    private synchronized boolean sendFrame(int opcode, byte[] payload, int offset, int length) {
        if (closedWhy != null || length > V2Codec.MAX_DATAGRAM + MAX_CONTROL_PAYLOAD) {
            return false;
        }
        if (pending.position() > 0) { // the socket is behind: join the queue, in order
            if (pending.remaining() < MAX_HEADER + length) {
                return false;
            }
            frame(pending, opcode, payload, offset, length);
            return true;
        }
        out.clear();
        frame(out, opcode, payload, offset, length);
        out.flip();
        try {
            channel.write(out);
        } catch (IOException e) {
            end("the WebSocket to " + gateway + " failed while sending");
            return false;
        }
        if (out.hasRemaining()) {
            pending.put(out);
            wantWritable(true);
        }
        return true;
    }

    /** Writes one client frame: FIN, the opcode, the length, a masking key and the masked payload. */
    private static void frame(ByteBuffer to, int opcode, byte[] payload, int offset, int length) {
        to.put((byte) (0x80 | opcode));
        if (length < 126) {
            to.put((byte) (0x80 | length));
        } else if (length < 65_536) {
            to.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            to.put((byte) (0x80 | 127)).putLong(length);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        to.putInt(mask);
        for (int i = 0; i < length; i++) {
            to.put((byte) (payload[offset + i] ^ (mask >>> (24 - 8 * (i & 3)))));
        }
    }

    private void wantWritable(boolean writable) {
        SelectionKey k = key;
        if (k != null && k.isValid()) {
            k.interestOps(writable ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            if (writable) {
                k.selector().wakeup();
            }
        }
    }

    /** The lane's thread: the socket can be written or read. */
    @Override
    public void ready(SelectionKey ready, long nowNanos) {
        if (ready.isValid() && ready.isWritable()) {
            flushPending();
        }
        if (ready.isValid() && ready.isReadable()) {
            readAll(nowNanos);
        }
    }

    private synchronized void flushPending() {
        pending.flip();
        try {
            channel.write(pending);
        } catch (IOException e) {
            pending.clear();
            end("the WebSocket to " + gateway + " failed while sending");
            return;
        }
        pending.compact();
        if (pending.position() == 0) {
            wantWritable(false);
        }
    }

    private boolean pendingEmpty() {
        synchronized (this) {
            return pending.position() == 0;
        }
    }

    /** Reads what is there, a few buffers at most (so no connection starves the lane's others), and parses it. */
    private void readAll(long nowNanos) {
        for (int reads = 0; reads < 8 && closedWhy == null; reads++) {
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
                end("the WebSocket to " + gateway + " failed (" + e.getMessage() + ")");
                return;
            }
            if (n < 0) {
                end("the server closed the connection without a WebSocket close");
                return;
            }
            in.flip();
            try {
                parse(nowNanos);
            } finally {
                in.compact(); // also when a client's handling threw: the frames after it are still whole
            }
            if (n == 0) {
                return;
            }
        }
    }

    /** Handles every whole frame in {@code in} (in read mode), leaving a frame's unread start there. */
    void parse(long nowNanos) {
        while (closedWhy == null && in.remaining() >= 2) {
            int at = in.position();
            int b0 = in.get(at) & 0xFF;
            int b1 = in.get(at + 1) & 0xFF;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            if ((b0 & 0x70) != 0 || (b1 & 0x80) != 0) {
                fail(1002, "a frame with reserved bits or a mask, which a server never sends");
                return;
            }
            long length = b1 & 0x7F;
            int header = 2;
            if (length == 126) {
                if (in.remaining() < 4) {
                    return;
                }
                length = in.getShort(at + 2) & 0xFFFF;
                header = 4;
            } else if (length == 127) {
                if (in.remaining() < 10) {
                    return;
                }
                length = in.getLong(at + 2);
                header = 10;
            }
            boolean control = opcode >= OP_CLOSE;
            if (control && (length > MAX_CONTROL_PAYLOAD || !fin)) {
                fail(1002, "a control frame over 125 bytes or in parts");
                return;
            }
            if (!control && (length < 0 || partialLength + length > V2Codec.MAX_DATAGRAM)) {
                fail(1009, "a WebSocket message over " + V2Codec.MAX_DATAGRAM + " bytes, which no v2 datagram is");
                return;
            }
            if (in.remaining() < header + length) {
                return; // the rest has not arrived
            }
            int start = at + header;
            int size = (int) length;
            in.position(start + size);
            handle(opcode, fin, start, size, nowNanos);
        }
    }

    private void handle(int opcode, boolean fin, int start, int size, long nowNanos) {
        switch (opcode) {
            case OP_BINARY, OP_TEXT -> {
                if (partial != null || inText) {
                    fail(1002, "a new message before the last one ended");
                    return;
                }
                if (opcode == OP_TEXT) {
                    inText = !fin; // the gateway never sends text: skipped
                } else if (fin) {
                    byte[] datagram = new byte[size];
                    in.get(start, datagram);
                    client.onDatagram(datagram, nowNanos);
                } else {
                    partial = new byte[V2Codec.MAX_DATAGRAM];
                    append(start, size);
                }
            }
            case OP_CONTINUATION -> {
                if (inText) {
                    inText = !fin;
                } else if (partial == null) {
                    fail(1002, "a continuation without a message");
                } else {
                    append(start, size);
                    if (fin) {
                        byte[] datagram = Arrays.copyOf(partial, partialLength);
                        partial = null;
                        partialLength = 0;
                        client.onDatagram(datagram, nowNanos);
                    }
                }
            }
            case OP_PING -> {
                byte[] data = new byte[size];
                in.get(start, data);
                sendFrame(OP_PONG, data, 0, size);
            }
            case OP_PONG -> {
                // unsolicited: ignored (RFC 6455 section 5.5.3)
            }
            case OP_CLOSE -> {
                int code = size >= 2 ? in.getShort(start) & 0xFFFF : 1005;
                String reason = size > 2 ? StandardCharsets.UTF_8.decode(in.duplicate().position(start + 2).limit(start + size)).toString() : "";
                sendClose(code == 1005 ? 1000 : code);
                end("the server closed the WebSocket (" + code + (reason.isEmpty() ? "" : " " + reason) + ")");
            }
            default -> fail(1002, "a frame of unknown opcode " + opcode);
        }
    }

    private void append(int start, int size) {
        in.get(start, partial, partialLength, size);
        partialLength += size;
    }

    private void fail(int code, String what) {
        sendClose(code);
        end("the server at " + gateway + " sent " + what + "; closed (" + code + ")");
    }

    private void sendClose(int code) {
        sendFrame(OP_CLOSE, new byte[] {(byte) (code >> 8), (byte) code}, 0, 2);
    }

    private void end(String why) {
        synchronized (this) {
            if (closedWhy != null) {
                return;
            }
            closedWhy = why;
            // what is queued (a close frame at most) gets one more try; then the connection goes
            if (pending.position() > 0) {
                pending.flip();
                try {
                    channel.write(pending);
                } catch (IOException e) {
                    // closing anyway
                }
                pending.clear();
            }
        }
        try {
            channel.close(); // the session's own timers notice; the run reports sessions lost
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Lets what is pending (a v2 Close record) go out for up to half a second, then closes with 1000. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
        while (closedWhy == null && !pendingEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        sendClose(1000);
        end("the WebSocket was closed");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "WebSocket %s from %s", gateway, local);
    }
}
