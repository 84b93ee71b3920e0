package io.ciphergram.protocol;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A peer's transport-neutral identity: the transport that carries it ({@code udp}, later {@code ws}) and an
 * address meaningful to that transport. Sessions and the relay key on this and never look inside it.
 */
public record PeerId(String transport, String address) {

    public static final String UDP = "udp";

    public PeerId {
        Objects.requireNonNull(transport);
        Objects.requireNonNull(address);
    }

    public static PeerId udp(String host, int port) {
        return new PeerId(UDP, host + ":" + port);
    }

    public static PeerId udp(InetSocketAddress address) {
        return udp(address.getAddress().getHostAddress(), address.getPort());
    }

    @Override
    public String toString() {
        return transport + "/" + address;
    }
}
