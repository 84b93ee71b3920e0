package io.ciphergram.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * A client's UDP socket, connected to one server, for both profiles. What UDP means here is decided once:
 * a datagram is sent or lost, and an ICMP "port unreachable" (which Linux reports on the next send or
 * receive of a connected socket) is treated as a loss, left to the profile's retries and timeouts to judge.
 */
final class DatagramLink implements Link {

    private final DatagramSocket socket;
    private final byte[] buffer;

    private DatagramLink(DatagramSocket socket, int maxDatagram) {
        this.socket = socket;
        this.buffer = new byte[maxDatagram + 1]; // one more, so an oversize datagram shows as such
    }

    static DatagramLink connect(InetSocketAddress server, int maxDatagram) throws IOException {
        DatagramSocket socket = new DatagramSocket();
        try {
            socket.connect(server);
            return new DatagramLink(socket, maxDatagram);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void send(byte[] datagram) throws IOException {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length));
        } catch (PortUnreachableException e) {
            // an earlier ICMP error surfacing on this send: as if lost
        }
    }

    @Override
    public byte[] receive(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            try {
                socket.receive(packet);
                return Arrays.copyOf(packet.getData(), packet.getLength());
            } catch (SocketTimeoutException e) {
                return null;
            } catch (PortUnreachableException e) {
                // an ICMP error for something we sent: not a datagram; keep waiting for the rest of the time
                if (timeoutMillis > 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        return null;
                    }
                    socket.setSoTimeout((int) left);
                }
            }
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
