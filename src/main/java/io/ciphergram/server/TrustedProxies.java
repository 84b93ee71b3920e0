package io.ciphergram.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The addresses {@code quarkus.http.proxy.trusted-proxies} names, as this server needs them: to exempt a
 * trusted proxy's connections from the per-address connection limit (every user behind it shares its
 * address). Quarkus itself decides whose forwarded headers it believes; this reads the same list: IP
 * addresses and CIDR ranges, with or without a port (ignored here), and host names, resolved once at start.
 */
final class TrustedProxies {

    private record Range(byte[] network, int prefixBits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            return rest == 0 || ((address[full] ^ network[full]) & (0xFF << (8 - rest))) == 0;
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = ranges;
    }

    static final TrustedProxies NONE = new TrustedProxies(List.of());

    /**
     * @throws IllegalArgumentException for an entry that is neither an address, a range nor a name that resolves
     */
    static TrustedProxies parse(Optional<List<String>> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries.orElse(List.of())) {
            String e = withoutPort(entry.strip());
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            try {
                if (slash >= 0) {
                    byte[] network = InetAddress.getByName(literal(e.substring(0, slash))).getAddress();
                    int bits = Integer.parseInt(e.substring(slash + 1));
                    if (bits < 0 || bits > network.length * 8) {
                        throw new IllegalArgumentException("trusted proxy " + entry + ": a /" + bits + " range");
                    }
                    ranges.add(new Range(network, bits));
                } else {
                    for (InetAddress address : InetAddress.getAllByName(e)) {
                        ranges.add(new Range(address.getAddress(), address.getAddress().length * 8));
                    }
                }
            } catch (UnknownHostException | NumberFormatException ex) {
                throw new IllegalArgumentException("trusted proxy " + entry + " is not an address, a range or a host", ex);
            }
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    /** {@code 10.0.0.1:8443} and {@code [::1]:8443} without the port; a bare IPv6 address as it is. */
    private static String withoutPort(String entry) {
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            return close < 0 ? entry : entry.substring(1, close) + entry.substring(close + 1).replaceFirst("^:\\d+", "");
        }
        int colon = entry.indexOf(':');
        return colon >= 0 && colon == entry.lastIndexOf(':') ? entry.substring(0, colon) : entry;
    }

    /** A range's address must be an IP literal: a name is never looked up for a range. */
    private static String literal(String address) throws UnknownHostException {
        if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new UnknownHostException(address);
        }
        return address;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return ranges.stream().anyMatch(r -> r.contains(bytes));
    }
}
