package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    private static boolean trusted(TrustedProxies proxies, String address) throws Exception {
        return proxies.contains(InetAddress.getByName(address));
    }

    @Test
    void addressesRangesAndPortsAsQuarkusReadsThem() throws Exception {
        TrustedProxies proxies = TrustedProxies.parse(Optional.of(List.of("10.0.0.0/8", "192.0.2.7:8443", "[2001:db8::1]:443",
                "2001:db8:1::/48", "127.0.0.2")));
        assertThat(trusted(proxies, "10.200.3.4")).isTrue();
        assertThat(trusted(proxies, "11.0.0.1")).isFalse();
        assertThat(trusted(proxies, "192.0.2.7")).isTrue();
        assertThat(trusted(proxies, "192.0.2.8")).isFalse();
        assertThat(trusted(proxies, "2001:db8::1")).isTrue();
        assertThat(trusted(proxies, "2001:db8:1:ffff::9")).isTrue();
        assertThat(trusted(proxies, "2001:db8:2::9")).isFalse();
        assertThat(trusted(proxies, "127.0.0.2")).isTrue();
        assertThat(trusted(proxies, "127.0.0.1")).isFalse();
    }

    @Test
    void noneTrustsNobodyAndNonsenseIsRefused() throws Exception {
        assertThat(TrustedProxies.parse(Optional.empty()).isEmpty()).isTrue();
        assertThat(trusted(TrustedProxies.NONE, "127.0.0.1")).isFalse();
        assertThatThrownBy(() -> TrustedProxies.parse(Optional.of(List.of("10.0.0.0/33"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrustedProxies.parse(Optional.of(List.of("proxy.example/24"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proxy.example/24");
    }
}
