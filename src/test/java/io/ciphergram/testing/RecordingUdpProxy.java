package io.ciphergram.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards UDP between one client and a server unchanged and keeps what the client sent, so a test can
 * say what a client put on the wire (for v2: which frame types, whether any record under the session's keys).
 */
public final class RecordingUdpProxy implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final List<byte[]> fromClient = new CopyOnWriteArrayList<>();
    private volatile SocketAddress client;

    private RecordingUdpProxy(DatagramSocket socket, InetSocketAddress server) {
        this.socket = socket;
        this.server = server;
    }

    public static RecordingUdpProxy start(InetSocketAddress server) throws IOException {
        RecordingUdpProxy proxy = new RecordingUdpProxy(new DatagramSocket(0, InetAddress.getLoopbackAddress()), server);
        Thread thread = new Thread(proxy::run, "recording-udp-proxy");
        thread.setDaemon(true);
        thread.start();
        return proxy;
    }

    private void run() {
        byte[] buffer = new byte[65_535];
        try {
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] data = Arrays.copyOf(packet.getData(), packet.getLength());
                if (packet.getSocketAddress().equals(server)) {
                    if (client != null) {
                        socket.send(new DatagramPacket(data, data.length, client));
                    }
                } else {
                    client = packet.getSocketAddress();
                    fromClient.add(data);
                    socket.send(new DatagramPacket(data, data.length, server));
                }
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Every datagram the client sent, in order. */
    public List<byte[]> fromClient() {
        return List.copyOf(fromClient);
    }

    /** The v2 frame types the client sent, in order ({@code 1} Hello, {@code 3} KeyOffer, {@code 5} Data). */
    public List<Integer> v2TypesFromClient() {
        return fromClient.stream().map(d -> d.length > 2 ? d[2] & 0xFF : -1).toList();
    }

    @Override
    public void close() {
        socket.close();
    }
}
