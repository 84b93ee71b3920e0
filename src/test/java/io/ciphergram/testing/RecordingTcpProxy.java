package io.ciphergram.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of the HTTP port that records every byte each client sends, so a test can
 * read what a browser put on the wire: the WebSocket frames it sent, unmasked (RFC 6455 section 5.3).
 */
public final class RecordingTcpProxy implements AutoCloseable {

    /** One WebSocket frame a client sent. */
    public record Frame(int opcode, byte[] payload) {
    }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<ByteArrayOutputStream> fromClients = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public RecordingTcpProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "recording-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                ByteArrayOutputStream record = new ByteArrayOutputStream();
                fromClients.add(record);
                pump(client.getInputStream(), server.getOutputStream(), record);
                pump(server.getInputStream(), client.getOutputStream(), null);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(InputStream in, OutputStream out, ByteArrayOutputStream record) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (record != null) {
                        synchronized (record) {
                            record.write(buffer, 0, n);
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                try {
                    out.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }, "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Every WebSocket frame any client sent through the proxy, unmasked, in order per connection. */
    public List<Frame> clientFrames() {
        List<Frame> frames = new ArrayList<>();
        for (ByteArrayOutputStream record : fromClients) {
            byte[] bytes;
            synchronized (record) {
                bytes = record.toByteArray();
            }
            // A browser may send plain requests on a connection before it upgrades it: frames start after
            // the end of the request that asked for the upgrade.
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int upgrade = text.toLowerCase(Locale.ROOT).indexOf("upgrade: websocket");
            int upgradeEnd = upgrade < 0 ? -1 : text.indexOf("\r\n\r\n", upgrade);
            if (upgradeEnd < 0) {
                continue; // a plain HTTP connection (the page, its scripts)
            }
            frames.addAll(parse(bytes, upgradeEnd + 4));
        }
        return frames;
    }

    private static List<Frame> parse(byte[] b, int at) {
        List<Frame> frames = new ArrayList<>();
        while (at + 2 <= b.length) {
            int opcode = b[at] & 0x0F;
            boolean masked = (b[at + 1] & 0x80) != 0;
            long length = b[at + 1] & 0x7F;
            int p = at + 2;
            if (length == 126) {
                length = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
                p += 2;
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (b[p + i] & 0xFF);
                }
                p += 8;
            }
            byte[] mask = new byte[4];
            if (masked) {
                System.arraycopy(b, p, mask, 0, 4);
                p += 4;
            }
            if (p + length > b.length) {
                break; // the rest has not arrived yet
            }
            byte[] payload = new byte[(int) length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) (b[p + i] ^ (masked ? mask[i % 4] : 0));
            }
            frames.add(new Frame(opcode, payload));
            at = p + (int) length;
        }
        return frames;
    }


    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
