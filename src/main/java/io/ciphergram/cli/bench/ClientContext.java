package io.ciphergram.cli.bench;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.ciphergram.crypto.ClassicMessageCipher;
import io.ciphergram.crypto.Fingerprint;
import io.ciphergram.protocol.v2.V2Frame;

/** What every simulated client of a run shares; all of it safe to use from any generator thread. */
final class ClientContext {

    /** The run's text format. */
    final BenchText format;
    /** Active clients in the room: message n is sent by client n mod this. */
    final int clients;
    /** The run's clock origin: texts carry {@code System.nanoTime() - epochNanos}. */
    final long epochNanos;
    final ClientKeys keys;
    /** Seals classic messages with a fresh IV each (thread-safe: per-thread Cipher, a shared SecureRandom). */
    final ClassicMessageCipher classicCipher;
    final SecureRandom random;
    /** Datagrams an endpoint would not take. */
    final LongAdder sendFailures = new LongAdder();
    /** Datagrams from the server that did not decrypt or decode (none are expected). */
    final LongAdder undecryptable = new LongAdder();
    /** The relay's "slow down" notices: its flood control dropped messages of the run. */
    final LongAdder floodNotices = new LongAdder();
    /** v2 sessions that failed after their handshake (the server closed them, or stopped acknowledging). */
    final LongAdder sessionsLost = new LongAdder();
    /** The identity the v2 server presented first. */
    final AtomicReference<Fingerprint> serverFingerprint = new AtomicReference<>();
    /** The limits the v2 server stated first (its flood control among them). */
    final AtomicReference<V2Frame.Limits> serverLimits = new AtomicReference<>();

    /** What a client sends to join its room once it holds its keys, and how the relay's answer starts. */
    final byte[] joinCommand;
    final byte[] joinedPrefix;

    ClientContext(BenchText format, int clients, long epochNanos, ClientKeys keys, SecureRandom random, String room) {
        // In #lobby already: /help, whose answer shows the first message was processed. Elsewhere: /join ROOM,
        // answered "* you are in ROOM" once the client is a member there.
        boolean lobby = room == null || room.equals("#lobby");
        this.joinCommand = (lobby ? "/help" : "/join " + room).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        this.joinedPrefix = (lobby ? "* commands:" : "* you are in " + room).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        this.format = format;
        this.clients = clients;
        this.epochNanos = epochNanos;
        this.keys = keys;
        this.random = random;
        this.classicCipher = new ClassicMessageCipher(random);
    }

    long now(long nanoTime) {
        return nanoTime - epochNanos;
    }
}
