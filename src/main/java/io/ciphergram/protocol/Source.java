package io.ciphergram.protocol;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * The part of a peer's address that a flooder cannot vary cheaply, which per-source limits key on: an
 * IPv4 address (not the port, which is free to pick), or the /64 of an IPv6 address, since one host
 * usually holds a whole /64 (wireguard-go's rate limiter keys the same way). Users behind one NAT share a
 * source, so limits per source are set for a classroom or an office, not for one person.
 *
 * @param family 4 or 6
 * @param prefix the IPv4 address, or the first 64 bits of the IPv6 address
 */
public record Source(int family, long prefix) {

    public static Source of(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return new Source(4, ByteBuffer.wrap(bytes).getInt() & 0xFFFF_FFFFL);
        }
        return new Source(6, ByteBuffer.wrap(bytes).getLong());
    }

    /** The /24 or /48 this source belongs to (aggregate caps). */
    public SourceBlock block() {
        return SourceBlock.of(this);
    }

    @Override
    public String toString() {
        if (family == 4) {
            return (prefix >>> 24) + "." + ((prefix >>> 16) & 0xFF) + "." + ((prefix >>> 8) & 0xFF) + "." + (prefix & 0xFF);
        }
        return String.format("%x:%x:%x:%x::/64", (prefix >>> 48) & 0xFFFF, (prefix >>> 32) & 0xFFFF,
                (prefix >>> 16) & 0xFFFF, prefix & 0xFFFF);
    }
}
