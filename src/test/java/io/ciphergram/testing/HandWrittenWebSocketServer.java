package io.ciphergram.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server side of RFC 6455 written out by hand over a plain socket, for tests of our WebSocket clients
 * against a server that does what no real gateway would: frames in parts, messages that never end, pings
 * between the parts, closes, a wrong accept value. It unmasks what the client sends and says whether it was
 * masked, as a server must check (section 5.1).
 */
public final class HandWrittenWebSocketServer {

    /** RFC 6455 section 1.3. */
    public static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** One frame as the client sent it, unmasked. */
    public record ClientFrame(boolean fin, int opcode, boolean masked, byte[] payload) {
    }

    private HandWrittenWebSocketServer() {
    }

    /** Reads the client's upgrade request and accepts it (section 4.2.2); returns the request. */
    public static String upgrade(Socket client) throws IOException {
        String request = readRequest(client.getInputStream());
        Matcher key = Pattern.compile("(?i)sec-websocket-key:\\s*(\\S+)").matcher(request);
        if (!key.find()) {
            throw new IOException("no key");
        }
        client.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return request;
    }

    /** The accept value for a client's key. */
    public static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads up to the blank line that ends a request's headers. */
    public static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        while (!request.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            request.write(b);
        }
        return request.toString(StandardCharsets.US_ASCII);
    }

    /** One unmasked server frame (payloads under 64 KiB). */
    public static void frame(OutputStream out, boolean fin, int opcode, byte[] payload) throws IOException {
        out.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else {
            out.write(126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xFF);
        }
        out.write(payload);
        out.flush();
    }

    /** Reads one frame of the client's, unmasking it. */
    public static ClientFrame readFrame(DataInputStream in) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] mask = new byte[4];
        if (masked) {
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        for (int i = 0; masked && i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return new ClientFrame((b0 & 0x80) != 0, b0 & 0x0F, masked, payload);
    }
}
