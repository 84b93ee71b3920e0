package io.ciphergram.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class AllowedHostsTest {

    @Test
    void byDefaultTheLoopbackNamesAndTheMachinesOwn() throws Exception {
        AllowedHosts hosts = AllowedHosts.of(Optional.empty());
        assertThat(hosts.allows("localhost")).isTrue();
        assertThat(hosts.allows("LocalHost.")).as("case, and the root's dot").isTrue();
        assertThat(hosts.allows("127.0.0.1")).isTrue();
        assertThat(hosts.allows("[::1]")).isTrue();
        assertThat(hosts.allows("[0:0:0:0:0:0:0:1]")).as("another spelling of ::1").isTrue();
        assertThat(hosts.allows(InetAddress.getLocalHost().getHostName())).isTrue();
        assertThat(hosts.allows("attacker.example")).isFalse();
        assertThat(hosts.allows("localhost.attacker.example")).isFalse();
        assertThat(hosts.allows("")).isFalse();
        assertThat(hosts.allows(null)).isFalse();
    }

    @Test
    void configuredHostsReplaceTheDefault() {
        AllowedHosts hosts = AllowedHosts.of(Optional.of(List.of("chat.example.org", " 192.0.2.10 ", "2001:db8::10")));
        assertThat(hosts.allows("chat.example.org")).isTrue();
        assertThat(hosts.allows("CHAT.EXAMPLE.ORG")).isTrue();
        assertThat(hosts.allows("192.0.2.10")).isTrue();
        assertThat(hosts.allows("[2001:db8:0:0:0:0:0:10]")).isTrue();
        assertThat(hosts.allows("localhost")).isFalse();
        assertThat(hosts.allows("example.org")).isFalse();
    }

    @Test
    void whatOnlyLooksLikeAnAddressIsANameAndIsNeverLookedUp() {
        AllowedHosts hosts = AllowedHosts.of("999.1.1.1", "1.2.3");
        assertThat(hosts.allows("999.1.1.1")).as("not an IPv4 address: compared as a name").isTrue();
        assertThat(hosts.allows("1.2.3")).isTrue();
        assertThat(hosts.allows("1.2.3.0")).isFalse();
    }
}
