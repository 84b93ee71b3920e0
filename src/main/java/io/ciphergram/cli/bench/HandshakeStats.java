package io.ciphergram.cli.bench;

/**
 * How a batch of handshakes went: from the first one started to the last one finished. For an active
 * client a handshake runs until it is in the room (classic: its /help answered; v2: likewise, over its
 * channel); for an idle session, until the server's key reply.
 */
public record HandshakeStats(int attempted, int completed, int failed, double seconds) {

    public double perSecond() {
        return seconds > 0 ? completed / seconds : 0;
    }
}
