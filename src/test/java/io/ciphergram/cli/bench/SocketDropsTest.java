package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class SocketDropsTest {

    private static final String HEADER = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode ref pointer drops";

    /** A line as Linux writes it for a socket on {@code local} with {@code drops} drops. */
    private static String line(int sl, String local, long drops) {
        return String.format("  %d: %s 0100007F:3039 01 00000000:00000000 00:00000000 00000000     0        0 %d 2"
                + " 0000000000000000 %d", sl, local, 1000 + sl, drops);
    }

    @Test
    void theKernelsKeyIsTheAddressInHostOrderAndThePortInHex() {
        String expected = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "0100007F:3039" : "7F000001:3039";
        assertThat(SocketDrops.key(new InetSocketAddress("127.0.0.1", 12_345))).isEqualTo(expected);
    }

    @Test
    void dropsAreSummedOverTheGivenSocketsAndTheServersIsFoundOnItsAddressOrTheWildcard() {
        InetSocketAddress a = new InetSocketAddress("127.2.0.1", 40_001);
        InetSocketAddress b = new InetSocketAddress("127.2.0.2", 40_002);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", 12_345);
        SocketDrops table = SocketDrops.parse(List.of(HEADER, line(0, SocketDrops.key(a), 3),
                line(1, SocketDrops.key(b), 4), line(2, SocketDrops.key(new InetSocketAddress("0.0.0.0", 12_345)), 9)));
        assertThat(table.sum(List.of(a, b))).isEqualTo(7);
        assertThat(table.sum(List.of(a, new InetSocketAddress("127.9.9.9", 1)))).isEqualTo(3);
        assertThat(table.sum(List.of(new InetSocketAddress("127.9.9.9", 1)))).as("none listed: unknown").isEqualTo(-1);
        assertThat(table.server(server)).isEqualTo(9);
        assertThat(table.server(new InetSocketAddress("127.0.0.1", 1))).isEqualTo(-1);
    }

    @Test
    void anUnreadableTableMakesEveryFigureUnknown() {
        assertThat(SocketDrops.parse(List.of()).sum(List.of())).isZero();
        SocketDrops none = SocketDrops.readFrom(Path.of("/nonexistent/net/udp"));
        assertThat(none.known()).isFalse();
        assertThat(none.sum(List.of(new InetSocketAddress("127.0.0.1", 1)))).isEqualTo(-1);
        assertThat(none.server(new InetSocketAddress("127.0.0.1", 1))).isEqualTo(-1);
    }
}
