package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PlainRelayTest {

    private final List<DatagramChannel> clients = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (DatagramChannel client : clients) {
            client.close();
        }
    }

    private DatagramChannel client() throws Exception {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.socket().setSoTimeout(2_000);
        clients.add(channel);
        return channel;
    }

    private static byte[] receive(DatagramChannel channel, int timeoutMillis) throws Exception {
        channel.socket().setSoTimeout(timeoutMillis);
        DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        try {
            channel.socket().receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    @Test
    void eachDatagramGoesUnchangedOnceToEveryOtherClientAndNotBackToItsSender() throws Exception {
        DatagramChannel alice = client();
        DatagramChannel bob = client();
        DatagramChannel carol = client();
        List<InetSocketAddress> addresses = List.of((InetSocketAddress) alice.getLocalAddress(),
                (InetSocketAddress) bob.getLocalAddress(), (InetSocketAddress) carol.getLocalAddress());
        try (PlainRelay relay = PlainRelay.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), addresses)) {
            byte[] datagram = "AAECAwQFBgcICQoLDA0OD3WNgRSuR7lk/g8xTsfTiQU=".getBytes(StandardCharsets.US_ASCII);
            alice.send(ByteBuffer.wrap(datagram), relay.address());
            assertThat(receive(bob, 2_000)).isEqualTo(datagram);
            assertThat(receive(carol, 2_000)).isEqualTo(datagram);
            assertThat(receive(bob, 200)).as("one copy each").isNull();
            assertThat(receive(alice, 200)).as("not back to its sender").isNull();
            assertThat(relay.forwarded()).isEqualTo(2);

            byte[] reply = new byte[1_200];
            Arrays.fill(reply, (byte) 0x5a);
            carol.send(ByteBuffer.wrap(reply), relay.address());
            assertThat(receive(alice, 2_000)).isEqualTo(reply);
            assertThat(receive(bob, 2_000)).isEqualTo(reply);
        }
    }

    @Test
    void closingTheRelayStopsItsThread() throws Exception {
        PlainRelay relay = PlainRelay.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of());
        relay.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("ciphergram-bench-plain-relay"));
    }
}
