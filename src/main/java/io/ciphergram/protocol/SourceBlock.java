package io.ciphergram.protocol;

/**
 * The block of addresses around a {@link Source} that one party usually holds: an IPv4 /24 or an IPv6 /48
 * (a site's usual allocation). Aggregate caps key on it, so that many addresses of one network together
 * cannot take more than a share of the server, however the addresses within it are chosen.
 *
 * @param family 4 or 6
 * @param prefix the first 24 bits of the IPv4 address, or the first 48 of the IPv6 address, left-aligned
 *        as in {@link Source#prefix()} with the rest zero
 */
public record SourceBlock(int family, long prefix) {

    public static SourceBlock of(Source source) {
        return source.family() == 4 ? new SourceBlock(4, source.prefix() & 0xFFFF_FF00L)
                : new SourceBlock(6, source.prefix() & 0xFFFF_FFFF_FFFF_0000L);
    }

    @Override
    public String toString() {
        if (family == 4) {
            return (prefix >>> 24) + "." + ((prefix >>> 16) & 0xFF) + "." + ((prefix >>> 8) & 0xFF) + ".0/24";
        }
        return String.format("%x:%x:%x::/48", (prefix >>> 48) & 0xFFFF, (prefix >>> 32) & 0xFFFF, (prefix >>> 16) & 0xFFFF);
    }
}
