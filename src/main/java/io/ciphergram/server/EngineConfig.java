package io.ciphergram.server;

import java.nio.file.Path;
import java.time.Duration;

import io.ciphergram.relay.RelaySettings;
import io.ciphergram.relay.RoomLimits;
import io.ciphergram.store.StorePolicy;
import io.ciphergram.session.SessionLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The engine's configuration: every key with its default, stated here once, one mapping per group of keys
 * (the environment form of {@code ciphergram.session.max-sessions} is {@code CIPHERGRAM_SESSION_MAX_SESSIONS};
 * docs/OPERATIONS.md lists them all with their meaning). Each group has a prefix of its own, so that the
 * other {@code ciphergram.*} keys (the transports', the cluster's) are not taken for misspellings of these.
 * The plain-Java defaults the engine's own tests use ({@link RelaySettings#defaults()}) are checked against
 * these by {@code EngineConfigTest}.
 */
public final class EngineConfig {

    private EngineConfig() {
    }

    /** Sessions and handshakes, and how long each kind may live. */
    @ConfigMapping(prefix = "ciphergram.session")
    public interface Session {
        /** Sessions and handshakes in all; proven sessions are never evicted, newcomers are refused when full. */
        @WithDefault("10000")
        int maxSessions();

        /** A classic session ends after this long without a datagram (its clients send no keepalive). */
        @WithDefault("1h")
        Duration idleTimeout();

        /** A classic handshake (SYN .. username) that has not finished after this long is forgotten. */
        @WithDefault("30s")
        Duration handshakeTimeout();

        /** A classic session that has not sent a message that decrypts (so has not proven its address) ends then. */
        @WithDefault("10m")
        Duration unprovenTimeout();
    }

    /** Flood control per address, on input that authenticates; {@code per-second=0} disables it. */
    @ConfigMapping(prefix = "ciphergram.flood")
    public interface Flood {
        @WithDefault("10")
        double perSecond();

        @WithDefault("20")
        double burst();
    }

    /** Per source (an IPv4 address or IPv6 /64; a NAT shares one) and per block (IPv4 /24, IPv6 /48). */
    @ConfigMapping(prefix = "ciphergram.limits")
    public interface Limits {
        /** Classic keys and v2 KeyOffers with a valid cookie, per second per source. */
        @WithDefault("20")
        double handshakesPerSecond();

        @WithDefault("50")
        double handshakeBurst();

        /** v2 Hellos answered per second per source (one HMAC each, a reply smaller than the Hello). */
        @WithDefault("2000")
        double hellosPerSecond();

        /** Half-open classic handshakes per source; a new one displaces the oldest. */
        @WithDefault("32")
        int handshakesPerSource();

        /** Unproven sessions (classic and v2) per source; a new one displaces the oldest. */
        @WithDefault("32")
        int unprovenPerSource();

        /** Sessions per source in all; beyond it newcomers are refused. */
        @WithDefault("128")
        int sessionsPerSource();

        /** Sessions per IPv4 /24 or IPv6 /48 in all; beyond it newcomers are refused. */
        @WithDefault("512")
        int sessionsPerBlock();
    }

    /** The classic profile. */
    @ConfigMapping(prefix = "ciphergram.classic")
    public interface Classic {
        /**
         * Ciphertext blocks a classic session may be sent in its life (2^17: 2 MiB of ciphertext, a filter of at
         * most 768 KiB); every one is remembered, so that none is accepted back, and at the bound the session
         * ends. Each sender may use a quarter of it.
         */
        @WithDefault("131072")
        int reflectionLimit();
    }

    /** The v2 (hardened) profile. */
    @ConfigMapping(prefix = "ciphergram.v2")
    public interface V2 {
        /** A v2 session ends after this long without an authenticated record (its clients ping every keepalive). */
        @WithDefault("180s")
        Duration idleTimeout();

        @WithDefault("10s")
        Duration keepalive();

        /** A v2 session whose client has sent no authenticated record ends after this long; it holds no name. */
        @WithDefault("10s")
        Duration unprovenTimeout();

        /** Bytes all v2 sessions together may hold in queues, unacknowledged and early fragments and reassembly. */
        @WithDefault("134217728")
        long memoryBudget();

        /** A v2 recipient whose queue stays full this long is given up. */
        @WithDefault("10s")
        Duration queueFullTimeout();
    }

    /** The server's long-term Ed25519 identity key, created owner-only on first start; clients pin its fingerprint. */
    @ConfigMapping(prefix = "ciphergram.identity")
    public interface Identity {
        @WithDefault("${user.home}/.ciphergram/server_identity.pem")
        Path path();
    }

    /** Rooms per instance and members per room (docs/PROTOCOL.md, "Rooms and history"). */
    @ConfigMapping(prefix = "ciphergram.rooms")
    public interface Rooms {
        /** Rooms with members on this instance; {@code /join} of a new one beyond it is refused. */
        @WithDefault("1000")
        int max();

        @WithDefault("10000")
        int maxMembers();
    }

    /** Each room's recent lines, stored in clear (docs/OPERATIONS.md, "Data"). */
    @ConfigMapping(prefix = "ciphergram.history")
    public interface History {
        /** Lines kept per room; 0 keeps none. */
        @WithDefault("100")
        int maxLines();

        /** Lines older than this are forgotten. */
        @WithDefault("24h")
        Duration maxAge();

        /** Lines sent on arrival in a room (oldest first); 0 sends none. */
        @WithDefault("50")
        int replayLines();
    }

    /** Sealed private messages kept for bound names while their owners are away. */
    @ConfigMapping(prefix = "ciphergram.mailbox")
    public interface Mailbox {
        @WithDefault("1000")
        int maxMessages();

        @WithDefault("7d")
        Duration maxAge();
    }

    /** Names bound to identities. */
    @ConfigMapping(prefix = "ciphergram.names")
    public interface Names {
        /** A binding unused this long is released. */
        @WithDefault("90d")
        Duration expireAfter();
    }

    /** Where the relay keeps its durable state (bindings, mailboxes, history) when it runs alone. */
    @ConfigMapping(prefix = "ciphergram.data")
    public interface Data {
        /** A directory, created owner-only; {@code none} keeps the state in memory only. */
        @WithDefault("${user.home}/.ciphergram/data")
        String dir();
    }

    /** These settings, for the engine. */
    public static RelaySettings settings(Session session, Flood flood, Limits limits, Classic classic, V2 v2,
            Rooms rooms, History history, Mailbox mailbox, Names names) {
        SessionLimits sessionLimits = new SessionLimits(session.maxSessions(), session.idleTimeout(),
                session.handshakeTimeout(), session.unprovenTimeout(), v2.unprovenTimeout(), flood.perSecond(),
                flood.burst(), limits.handshakesPerSecond(), limits.handshakeBurst(), limits.hellosPerSecond(),
                limits.handshakesPerSource(), limits.unprovenPerSource(), limits.sessionsPerSource(),
                limits.sessionsPerBlock(), v2.memoryBudget());
        return new RelaySettings(sessionLimits, v2.idleTimeout(), v2.keepalive(), classic.reflectionLimit(),
                v2.queueFullTimeout(), new RoomLimits(rooms.max(), rooms.maxMembers(), Math.min(history.replayLines(),
                        history.maxLines())),
                new StorePolicy(history.maxLines(), history.maxAge(), mailbox.maxMessages(), mailbox.maxAge(),
                        names.expireAfter()));
    }
}
