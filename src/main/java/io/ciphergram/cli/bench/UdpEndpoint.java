package io.ciphergram.cli.bench;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import io.ciphergram.cli.link.Link;

/**
 * A client's own non-blocking UDP socket, bound to its loopback source address and connected to the
 * server (so reads need no sender address and the kernel filters strays): the generator's UDP
 * {@link Link}, whose receive side is its {@link DatagramLanes}. Sends come from any generator
 * thread; a DatagramChannel serialises them itself. An ICMP "port unreachable" that Linux reports on a
 * connected socket is taken as a loss, as the console client does.
 */
final class UdpEndpoint implements Link {

    /** Room for bursts while a receive thread is busy elsewhere; the kernel caps it at net.core.rmem_max. */
    static final int ACTIVE_RECEIVE_BUFFER = 2 << 20;

    private final DatagramChannel channel;
    private final InetSocketAddress local;

    private UdpEndpoint(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Opens and binds a socket on {@code source} (any port), not yet connected; an IPv4 socket for an IPv4
     * source, so that it is listed, with its drops, in {@code /proc/net/udp}.
     */
    static UdpEndpoint bind(InetAddress source, boolean busy) throws IOException {
        DatagramChannel channel = DatagramChannel.open(source instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            if (busy) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, ACTIVE_RECEIVE_BUFFER);
            }
            channel.bind(new InetSocketAddress(source, 0));
            channel.configureBlocking(false);
            return new UdpEndpoint(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    void connect(InetSocketAddress server) throws IOException {
        channel.connect(server);
    }

    DatagramChannel channel() {
        return channel;
    }

    InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean send(byte[] datagram) {
        try {
            return channel.write(ByteBuffer.wrap(datagram)) == datagram.length; // 0: the send buffer is full
        } catch (IOException e) {
            return false; // including an earlier ICMP error surfacing on this send, which then fails
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
