package io.ciphergram.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import io.ciphergram.protocol.Source;

class ConnectionLimitsTest {

    private static Source source(String address) throws Exception {
        return Source.of(InetAddress.getByName(address));
    }

    @Test
    void oneAddressGetsItsShareAndTheRestStayForOthers() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(5, 2);
        Source flooder = source("192.0.2.1");
        assertThat(limits.admit(flooder, false)).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        assertThat(limits.admit(flooder, false)).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        assertThat(limits.admit(flooder, false)).isEqualTo(ConnectionLimits.Admission.OVER_SOURCE);
        assertThat(limits.admit(source("192.0.2.2"), false)).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        assertThat(limits.open()).isEqualTo(3);
        limits.release(flooder, false);
        assertThat(limits.admit(flooder, false)).isEqualTo(ConnectionLimits.Admission.ADMITTED);
    }

    @Test
    void theTotalHoldsWhateverTheAddresses() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(3, 2);
        for (int i = 1; i <= 3; i++) {
            assertThat(limits.admit(source("192.0.2." + i), false)).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        }
        assertThat(limits.admit(source("192.0.2.9"), false)).isEqualTo(ConnectionLimits.Admission.OVER_TOTAL);
        assertThat(limits.admit(source("192.0.2.9"), true)).as("a trusted proxy too").isEqualTo(
                ConnectionLimits.Admission.OVER_TOTAL);
        assertThat(limits.open()).isEqualTo(3);
    }

    @Test
    void aTrustedProxyCountsInTheTotalOnlyAndAnAddressWithoutConnectionsIsForgotten() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(10, 1);
        Source proxy = source("10.0.0.1");
        for (int i = 0; i < 5; i++) {
            assertThat(limits.admit(proxy, true)).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        }
        assertThat(limits.sources()).isZero();
        Source user = source("2001:db8::1");
        limits.admit(user, false);
        assertThat(limits.admit(source("2001:db8::2"), false)).as("the same /64").isEqualTo(
                ConnectionLimits.Admission.OVER_SOURCE);
        limits.release(user, false);
        assertThat(limits.sources()).isZero();
        assertThat(limits.open()).isEqualTo(5);
    }
}
