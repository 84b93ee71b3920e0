package io.ciphergram.transport.ws;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The host names and addresses a browser may reach the gateway by ({@code ciphergram.ws.allowed-hosts}).
 * An Origin check alone does not stop DNS rebinding: a page of {@code attacker.example}, whose name the
 * attacker then points at this server, is its own origin as far as the browser knows, and sends
 * {@code Host: attacker.example}. So the Host header is checked too, against names the server really has:
 * by default the loopback names and addresses and the machine's own name and addresses; behind a proxy, the
 * public name the operator lists. Immutable.
 */
final class AllowedHosts {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");

    private final Set<String> names = new HashSet<>();
    private final Set<InetAddress> addresses = new HashSet<>();

    private AllowedHosts(Iterable<String> hosts) {
        for (String host : hosts) {
            String normalised = normalise(host);
            InetAddress address = literal(normalised);
            if (address != null) {
                addresses.add(address);
            } else if (!normalised.isEmpty()) {
                names.add(normalised);
            }
        }
    }

    /** The configured hosts, or without any, the loopback ones and the machine's own. */
    static AllowedHosts of(Optional<List<String>> configured) {
        return new AllowedHosts(configured.filter(list -> !list.isEmpty()).orElseGet(AllowedHosts::machine));
    }

    static AllowedHosts of(String... hosts) {
        return new AllowedHosts(List.of(hosts));
    }

    /** Loopback names and addresses, the machine's host name, and every address of its interfaces. */
    static List<String> machine() {
        Set<String> hosts = new HashSet<>(LOOPBACK);
        try {
            InetAddress self = InetAddress.getLocalHost();
            hosts.add(self.getHostName());
            hosts.add(self.getHostAddress());
        } catch (UnknownHostException e) {
            // a machine whose own name does not resolve is reached by address
        }
        try {
            NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .forEach(address -> hosts.add(address.getHostAddress()));
        } catch (SocketException e) {
            // no interfaces to list: loopback only
        }
        return List.copyOf(hosts);
    }

    /** Whether {@code host} (a Host header's or an Origin's host, without the port) is one of these. */
    boolean allows(String host) {
        if (host == null) {
            return false;
        }
        String normalised = normalise(host);
        InetAddress address = literal(normalised);
        return address != null ? addresses.contains(address) : names.contains(normalised);
    }

    /** Lower case, without IPv6 brackets, an IPv6 zone, or the root's trailing dot. */
    private static String normalise(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        int zone = h.indexOf('%');
        if (zone >= 0) {
            h = h.substring(0, zone);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** The address an IP literal names, or null for a host name (which is never looked up). */
    private static InetAddress literal(String host) {
        try {
            if (IPV4.matcher(host).matches()) {
                byte[] octets = new byte[4];
                String[] parts = host.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        return null;
                    }
                    octets[i] = (byte) octet;
                }
                return InetAddress.getByAddress(octets);
            }
            if (host.indexOf(':') >= 0) {
                // the JDK parses a string with a colon as an IPv6 literal and never resolves it
                return InetAddress.getByAddress(InetAddress.getByName(host).getAddress());
            }
        } catch (UnknownHostException e) {
            // not a literal after all
        }
        return null;
    }

    @Override
    public String toString() {
        return names + " " + addresses;
    }
}
