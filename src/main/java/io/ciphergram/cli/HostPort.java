package io.ciphergram.cli;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A server as the user names it, {@code HOST:PORT} ({@code [v6]:PORT} for an IPv6 literal): parsed in one
 * place, and written back in one canonical form (host in lower case, port as a plain number), which is
 * also how the trust store keys it.
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '#' || c == 0x7F)) {
            throw new IllegalArgumentException("not a host name or address: " + host);
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("a port is 1 to 65535, got " + port);
        }
        host = host.toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException with a message fit for the user if it is not HOST:PORT */
    public static HostPort parse(String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("a server is HOST:PORT, got " + text);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("an IPv6 server is [ADDRESS]:PORT, got " + text);
        }
        String digits = s.substring(colon + 1);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 5) {
            throw new IllegalArgumentException("a port is 1 to 65535, got " + digits);
        }
        return new HostPort(host, Integer.parseInt(digits));
    }

    /** The socket address to reach it (resolving the name, if it is one). */
    public InetSocketAddress resolve() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
