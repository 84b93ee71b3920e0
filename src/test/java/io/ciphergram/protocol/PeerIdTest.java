package io.ciphergram.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.Peers;

class PeerIdTest {

    @Test
    void aUdpPeerIsItsAddressAndPort() {
        PeerId a = Peers.udp("192.0.2.1", 40000);
        assertThat(a).isEqualTo(Peers.udp("192.0.2.1", 40000)).hasSameHashCodeAs(Peers.udp("192.0.2.1", 40000))
                .isNotEqualTo(Peers.udp("192.0.2.1", 40001)).isNotEqualTo(Peers.udp("192.0.2.2", 40000));
        assertThat(a.address()).isEqualTo(new InetSocketAddress(Peers.ip("192.0.2.1"), 40000));
        assertThat(a.addressText()).isEqualTo("192.0.2.1:40000");
        assertThat(a).hasToString("udp/192.0.2.1:40000");
    }

    @Test
    void connectionsFromOneAddressAreDifferentPeers() {
        InetSocketAddress browser = new InetSocketAddress(Peers.ip("192.0.2.1"), 50000);
        PeerId first = PeerId.connection("ws", browser, 1);
        assertThat(first).isNotEqualTo(PeerId.connection("ws", browser, 2)).isEqualTo(PeerId.connection("ws", browser, 1))
                .isNotEqualTo(PeerId.udp(browser));
        assertThat(first.addressText()).isEqualTo("192.0.2.1:50000#1");
        assertThatThrownBy(() -> PeerId.connection("ws", browser, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnresolvedAddressIsRefused() {
        assertThatThrownBy(() -> PeerId.udp(InetSocketAddress.createUnresolved("example.org", 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSourceIsTheIpv4AddressOrTheIpv6Slash64() {
        assertThat(Peers.udp("192.0.2.1", 1).source()).isEqualTo(Peers.udp("192.0.2.1", 2).source())
                .isNotEqualTo(Peers.udp("192.0.2.10", 1).source()).hasToString("192.0.2.1");
        PeerId v6 = Peers.udp("2001:db8:1:2:0:0:0:1", 5000);
        assertThat(v6.source()).isEqualTo(Peers.udp("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 6000).source())
                .isNotEqualTo(Peers.udp("2001:db8:1:3:0:0:0:1", 5000).source()).hasToString("2001:db8:1:2::/64");
        assertThat(v6.addressText()).isEqualTo("[2001:db8:1:2:0:0:0:1]:5000");
    }
}
