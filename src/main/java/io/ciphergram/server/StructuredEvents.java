package io.ciphergram.server;

import java.util.Locale;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.ciphergram.protocol.DropReason;
import io.ciphergram.protocol.PeerId;
import io.ciphergram.relay.RelayEvents;
import io.ciphergram.session.Session;

/**
 * The relay's events as log records with the peer, profile and reason (or name) as fields, so that JSON
 * logs ({@code QUARKUS_LOG_CONSOLE_JSON_ENABLED=true}) carry them as separate keys; the line itself still reads
 * well in plain logs. Never a key, a token or a message's text. Drops are logged at debug, session starts
 * and ends at debug too (turn them on with {@code quarkus.log.category."io.ciphergram".level=DEBUG}).
 */
final class StructuredEvents implements RelayEvents {

    private static final Logger DROPS = Logger.getLogger("io.ciphergram.relay.drops");
    private static final Logger SESSIONS = Logger.getLogger("io.ciphergram.relay.sessions");

    @Override
    public void dropped(PeerId peer, DropReason reason) {
        if (DROPS.isDebugEnabled()) {
            withFields(peer, null, reason.name().toLowerCase(Locale.ROOT),
                    () -> DROPS.debugf("dropped a datagram from %s: %s", peer, reason));
        }
    }

    @Override
    public void started(Session session) {
        if (SESSIONS.isDebugEnabled()) {
            withFields(session.peer(), session.profile(), "started",
                    () -> SESSIONS.debugf("session started: %s (%s, %s)", session.name(), session.profile(), session.peer()));
        }
    }

    @Override
    public void ended(Session session) {
        if (SESSIONS.isDebugEnabled()) {
            withFields(session.peer(), session.profile(), "ended",
                    () -> SESSIONS.debugf("session ended: %s (%s, %s)", session.name(), session.profile(), session.peer()));
        }
    }

    private static void withFields(PeerId peer, String profile, String reason, Runnable log) {
        MDC.put("peer", peer.toString());
        MDC.put("transport", peer.transport());
        if (profile != null) {
            MDC.put("profile", profile);
        }
        MDC.put("reason", reason);
        try {
            log.run();
        } finally {
            MDC.remove("peer");
            MDC.remove("transport");
            MDC.remove("profile");
            MDC.remove("reason");
        }
    }
}
