package io.ciphergram.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import io.ciphergram.protocol.PeerId;

/** Peers named by an IP literal and a port, as tests forge them. */
public final class Peers {

    private Peers() {
    }

    public static PeerId udp(String ipLiteral, int port) {
        return PeerId.udp(new InetSocketAddress(ip(ipLiteral), port));
    }

    public static InetAddress ip(String literal) {
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("tests name peers by IP literal: " + literal);
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
