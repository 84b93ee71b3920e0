package io.ciphergram.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain TCP socket, for tests that must control what a library would not: the
 * Host and Origin headers, the source address (any 127.0.0.0/8 address), the receive buffer, and whether
 * it reads at all. It speaks RFC 6455 as a client must: every frame it sends is masked.
 */
public final class RawWebSocket implements AutoCloseable {

    /** RFC 6455 section 5.2 opcodes. */
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int status;

    private RawWebSocket(Socket socket, int status) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.status = status;
    }

    /** How a connection is made: from where, with which headers. */
    public static final class Options {
        private InetAddress from;
        private int receiveBuffer;
        private final Map<String, String> headers = new LinkedHashMap<>();

        /** Connects from this local address (a 127.0.0.0/8 one on loopback). */
        public Options from(String localAddress) throws IOException {
            this.from = InetAddress.getByName(localAddress);
            return this;
        }

        /** A small socket receive buffer, set before connecting so that the TCP window stays small. */
        public Options receiveBuffer(int bytes) {
            this.receiveBuffer = bytes;
            return this;
        }

        /** Sets a request header; {@code null} leaves it out (Host included). */
        public Options header(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    /** Upgrades {@code /ws} on 127.0.0.1:{@code port} with {@code Host: localhost:port} and no Origin. */
    public static RawWebSocket open(int port) throws IOException {
        return open(port, new Options());
    }

    /** Upgrades {@code /ws}; {@link #status()} says whether it was accepted (101). */
    public static RawWebSocket open(int port, Options options) throws IOException {
        Socket socket = new Socket();
        if (options.receiveBuffer > 0) {
            socket.setReceiveBufferSize(options.receiveBuffer);
        }
        if (options.from != null) {
            socket.bind(new InetSocketAddress(options.from, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "localhost:" + port);
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        headers.put("Sec-WebSocket-Version", "13");
        headers.putAll(options.headers);
        StringBuilder request = new StringBuilder("GET /ws HTTP/1.1\r\n");
        headers.forEach((name, value) -> {
            if (value != null) {
                request.append(name).append(": ").append(value).append("\r\n");
            }
        });
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        int status = readStatus(socket.getInputStream());
        RawWebSocket ws = new RawWebSocket(socket, status);
        if (status != 101) {
            ws.close();
        }
        return ws;
    }

    /** Reads the response head byte by byte (nothing of the first frame is consumed) and returns its status. */
    private static int readStatus(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection during the upgrade: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        String statusLine = head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse("");
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** The upgrade's status: 101 when accepted. */
    public int status() {
        return status;
    }

    /** A masked binary frame carrying {@code payload}, as a client must send it. */
    public static byte[] binaryFrame(byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | BINARY);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    /** Sends one binary frame. */
    public synchronized void sendBinary(byte[] payload) throws IOException {
        out.write(binaryFrame(payload));
        out.flush();
    }

    /** Writes bytes as they are (frames made with {@link #binaryFrame}, or half of one). */
    public synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * The payload of the next binary frame, answering pings on the way; null when the server closed (a Close
     * frame or the end of the stream).
     *
     * @throws SocketTimeoutException if nothing arrives within {@code timeoutMillis}
     */
    public byte[] receiveBinary(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        for (Frame frame = readFrame(); frame != null; frame = readFrame()) {
            if (frame.opcode == BINARY) {
                return frame.payload;
            }
            if (frame.opcode == CLOSE) {
                return null;
            }
            if (frame.opcode == PING) {
                sendControl(PONG, frame.payload);
            }
        }
        return null;
    }

    /** The status code of the server's Close frame, reading past everything else; -1 if the stream just ended. */
    public int awaitClose(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        for (Frame frame = readFrame(); frame != null; frame = readFrame()) {
            if (frame.opcode == CLOSE) {
                return frame.payload.length >= 2 ? ((frame.payload[0] & 0xFF) << 8) | (frame.payload[1] & 0xFF) : 1005;
            }
        }
        return -1;
    }

    private record Frame(int opcode, byte[] payload) {
    }

    /** The next frame the server sent (servers do not mask), or null at the end of the stream or a reset. */
    private Frame readFrame() throws IOException {
        try {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            long length = in.readUnsignedByte() & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            return new Frame(first & 0x0F, payload);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return null;
        }
    }

    private synchronized void sendControl(int opcode, byte[] payload) throws IOException {
        byte[] frame = binaryFrame(payload);
        frame[0] = (byte) (0x80 | opcode);
        out.write(frame);
        out.flush();
    }

    /** Whether the server has closed the TCP connection (the stream ended or was reset), waiting up to {@code timeoutMillis}. */
    public boolean closedByServer(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            while (in.read() >= 0) {
                // drain whatever is still on its way
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
