package io.ciphergram.cli.bench;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Datagrams the kernel dropped at given UDP sockets because their receive buffers were full, from Linux's
 * {@code /proc/net/udp} (its last column, per socket). For the generator's own sockets that means its
 * receive loop fell behind; for the server's, that the server did. Counters are cumulative; callers take
 * differences. Where the file is missing (not Linux) every figure is unknown, -1.
 */
final class SocketDrops {

    static final Path PROC_NET_UDP = Path.of("/proc/net/udp");

    private final Map<String, Long> dropsByLocalAddress;

    private SocketDrops(Map<String, Long> dropsByLocalAddress) {
        this.dropsByLocalAddress = dropsByLocalAddress;
    }

    /** The current table; everything unknown if it cannot be read. */
    static SocketDrops read() {
        return readFrom(PROC_NET_UDP);
    }

    static SocketDrops readFrom(Path table) {
        try {
            return parse(Files.readAllLines(table));
        } catch (IOException | RuntimeException e) {
            return new SocketDrops(null);
        }
    }

    /** Parses the lines of {@code /proc/net/udp}: a header, then one socket a line, drops last. */
    static SocketDrops parse(List<String> lines) {
        Map<String, Long> drops = new HashMap<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 13) {
                continue;
            }
            drops.merge(fields[1].toUpperCase(Locale.ROOT), Long.parseLong(fields[fields.length - 1]), Long::sum);
        }
        return new SocketDrops(drops);
    }

    boolean known() {
        return dropsByLocalAddress != null;
    }

    /**
     * Drops summed over these local socket addresses (IPv4), or -1 if the table is unknown or lists none of
     * them (IPv6 sockets are in another table, which this does not read).
     */
    long sum(Collection<InetSocketAddress> sockets) {
        if (dropsByLocalAddress == null) {
            return -1;
        }
        long total = 0;
        int found = 0;
        for (InetSocketAddress socket : sockets) {
            Long drops = dropsByLocalAddress.get(key(socket));
            if (drops != null) {
                total += drops;
                found++;
            }
        }
        return found == 0 && !sockets.isEmpty() ? -1 : total;
    }

    /**
     * Drops at a server socket listening on {@code address}'s port, bound to that address or to the
     * wildcard; -1 if there is none in the table (the server is on another host) or the table is unknown.
     */
    long server(InetSocketAddress address) {
        if (dropsByLocalAddress == null) {
            return -1;
        }
        Long exact = dropsByLocalAddress.get(key(address));
        if (exact != null) {
            return exact;
        }
        return dropsByLocalAddress.getOrDefault(key(new InetSocketAddress("0.0.0.0", address.getPort())), -1L);
    }

    /** {@code /proc/net/udp}'s form: the IPv4 address as the kernel stores it (host byte order) in hex, then the port. */
    static String key(InetSocketAddress socket) {
        if (!(socket.getAddress() instanceof Inet4Address v4)) {
            return "";
        }
        byte[] b = v4.getAddress();
        int network = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        int stored = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(network) : network;
        return String.format(Locale.ROOT, "%08X:%04X", stored, socket.getPort());
    }
}
