package io.ciphergram.cli.bench;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;

/**
 * Loopback source addresses for the simulated clients, so that the server's per-source limits
 * (docs/PROTOCOL.md, "Limits against forged sources": handshakes 20/s burst 50, 32 unproven classic
 * sessions, 512 sessions per IP) see many sources, as they would see many users: on Linux every address
 * of 127.0.0.0/8 is a distinct local IP. Session {@code i} of a block gets
 * {@code 127.BLOCK.x.y} with {@code (x, y)} from {@code i / perSource}; y runs 1 to 254.
 */
final class SourceAddresses {

    /** Active clients: one per source address. */
    static final int ACTIVE_BLOCK = 2;
    /** Idle sessions: a few per source, well under every per-source limit. */
    static final int IDLE_BLOCK = 1;
    static final int IDLE_PER_SOURCE = 16;
    private static final int HOSTS_PER_SUBNET = 254;

    private final int block;
    private final int perSource;
    /** Null when sessions are spread over the block; else the one address they all use. */
    private final InetAddress single;

    private SourceAddresses(int block, int perSource, InetAddress single) {
        this.block = block;
        this.perSource = perSource;
        this.single = single;
    }

    /**
     * Addresses in {@code 127.block.0.0/16}, {@code perSource} sessions each, for a server on an IPv4
     * loopback address. Otherwise, or if this host cannot bind such an address (not Linux), every session
     * uses the wildcard address of the server's family, and the per-source limits apply to them all.
     */
    static SourceAddresses of(int block, int perSource, InetAddress server) {
        boolean v4Loopback = server instanceof Inet4Address && server.isLoopbackAddress();
        if (v4Loopback && canBind(address(block, 0))) {
            return new SourceAddresses(block, perSource, null);
        }
        try {
            return new SourceAddresses(block, perSource, InetAddress.getByName(
                    server instanceof Inet6Address ? "::" : "0.0.0.0"));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean spread() {
        return single == null;
    }

    /** The source address of session {@code i}. */
    InetAddress forSession(int i) {
        return single == null ? address(block, i / perSource) : single;
    }

    /** The {@code n}-th address of {@code 127.block.0.0/16}. */
    static InetAddress address(int block, int n) {
        int subnet = n / HOSTS_PER_SUBNET;
        if (subnet > 255) {
            throw new IllegalArgumentException("more sessions than 127." + block + ".0.0/16 has source addresses for");
        }
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) block, (byte) subnet, (byte) (n % HOSTS_PER_SUBNET + 1)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean canBind(InetAddress address) {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
