package io.ciphergram.protocol;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Who a datagram came from, as the engine sees it: the transport that carries the peer ({@code udp},
 * {@code ws}), its remote address (for a connection-oriented transport, the client's address), and for
 * such transports a connection number that tells apart connections from one address (0 for datagram
 * transports). It holds what a transport needs to answer: the UDP egress sends to {@link #address()}
 * as it is; the WebSocket egress finds its connection by {@link #connection()}. Immutable. Made for every
 * datagram received, so it computes only its hash up front; its text form and {@link Source}, needed at
 * handshakes and in logs, on first use (a benign race: any thread computes the same immutable value).
 */
public final class PeerId {

    public static final String UDP = "udp";

    private final String transport;
    private final InetSocketAddress address;
    private final long connection;
    private final int hash;
    private Source source;
    private String text;

    private PeerId(String transport, InetSocketAddress address, long connection) {
        this.transport = Objects.requireNonNull(transport);
        this.address = Objects.requireNonNull(address);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("a peer's address is an IP address, never a name to resolve");
        }
        this.connection = connection;
        this.hash = (31 * transport.hashCode() + address.hashCode()) * 31 + Long.hashCode(connection);
    }

    /** A peer of the UDP transport: its datagrams' source address. */
    public static PeerId udp(InetSocketAddress address) {
        return new PeerId(UDP, address, 0);
    }

    /** A peer on connection number {@code connection} (unique per transport) from {@code remote}. */
    public static PeerId connection(String transport, InetSocketAddress remote, long connection) {
        if (connection == 0) {
            throw new IllegalArgumentException("connection numbers start at 1");
        }
        return new PeerId(transport, remote, connection);
    }

    public String transport() {
        return transport;
    }

    /** The remote IP address and port, resolved. */
    public InetSocketAddress address() {
        return address;
    }

    /** 0 for a datagram transport; otherwise the transport's number for the connection. */
    public long connection() {
        return connection;
    }

    /** What per-source limits key on: the IPv4 address, or the /64 of an IPv6 address. */
    public Source source() {
        Source s = source;
        if (s == null) {
            source = s = Source.of(address.getAddress());
        }
        return s;
    }

    /** {@code ip:port} (IPv6 in brackets), then {@code #connection} for connection transports: the cookie binds to it. */
    public String addressText() {
        String t = text;
        if (t == null) {
            String ip = address.getAddress() instanceof Inet4Address
                    ? address.getAddress().getHostAddress()
                    : "[" + address.getAddress().getHostAddress() + "]";
            text = t = ip + ":" + address.getPort() + (connection == 0 ? "" : "#" + connection);
        }
        return t;
    }

    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof PeerId that && hash == that.hash && connection == that.connection
                && transport.equals(that.transport) && address.equals(that.address);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return transport + "/" + addressText();
    }
}
