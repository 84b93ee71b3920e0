package io.ciphergram.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.Arrays;

import io.ciphergram.cli.link.Link;

/**
 * The console client's UDP socket, connected to one server, for both profiles, with one receive thread
 * ({@code ciphergram-udp-receive}) that hands each datagram to the {@link Link.Receiver}. What UDP means
 * here is decided once: a datagram is sent or lost, and an ICMP "port unreachable" (which Linux reports on
 * the next send or receive of a connected socket) is treated as a loss, left to the profile's retries and
 * timeouts to judge. Which socket a v2 client's next session uses is {@link V2Connection}'s choice.
 */
final class DatagramLink implements Link {

    private final DatagramSocket socket;
    private final int maxDatagram;
    private final Link.Receiver receiver;
    private volatile boolean closed;

    private DatagramLink(DatagramSocket socket, int maxDatagram, Link.Receiver receiver) {
        this.socket = socket;
        this.maxDatagram = maxDatagram;
        this.receiver = receiver;
    }

    static DatagramLink connect(InetSocketAddress server, int maxDatagram, Link.Receiver receiver) throws IOException {
        DatagramSocket socket = new DatagramSocket();
        try {
            socket.connect(server);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        DatagramLink link = new DatagramLink(socket, maxDatagram, receiver);
        Thread thread = new Thread(link::receiveLoop, "ciphergram-udp-receive");
        thread.setDaemon(true);
        thread.start();
        return link;
    }

    private void receiveLoop() {
        byte[] buffer = new byte[maxDatagram + 1]; // one more, so an oversize datagram shows as such
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            while (!closed) {
                try {
                    packet.setLength(buffer.length);
                    socket.receive(packet);
                    receiver.onDatagram(Arrays.copyOf(packet.getData(), packet.getLength()));
                } catch (PortUnreachableException e) {
                    // an ICMP error for something we sent: not a datagram; the protocol's timers judge
                }
            }
        } catch (IOException e) {
            // the socket was closed
        } finally {
            receiver.onClosed("the UDP socket was closed");
        }
    }

    @Override
    public boolean send(byte[] datagram) {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length));
            return true;
        } catch (PortUnreachableException e) {
            return true; // an earlier ICMP error surfacing on this send: as if lost on the way
        } catch (IOException e) {
            return false;
        }
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }
}
