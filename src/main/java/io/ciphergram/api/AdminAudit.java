package io.ciphergram.api;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.ciphergram.protocol.ChatText;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * The trace every admin action leaves: one INFO line on {@code io.ciphergram.admin.audit} saying what was done,
 * to whom and from which address (the proxy-reported one behind a trusted proxy), with {@code action},
 * {@code target} and {@code client} as fields for JSON logs; and a count per action. Never the token, never a
 * broadcast's text (only its size). Any thread.
 */
@Singleton
public class AdminAudit {

    /** What an operator can do to the service through the admin API. */
    public enum Action { REMOVE, BROADCAST, RELEASE_NAME, PURGE_HISTORY }

    private static final Logger AUDIT = Logger.getLogger("io.ciphergram.admin.audit");
    private static final int MAX_NAME_IN_LOG = 32;

    private final LongAdder[] counts = new LongAdder[Action.values().length];

    public AdminAudit() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** A removal was asked for {@code name}; {@code removed} says whether anyone had that name. */
    void removed(HttpServerRequest request, String name, boolean removed) {
        String target = ChatText.excerpt(name, MAX_NAME_IN_LOG);
        record(Action.REMOVE, target, client(request), removed ? "admin removed " + target : "admin removed nobody: no session is"
                + " named " + target);
    }

    /** A notice of {@code bytes} bytes went to {@code recipients} members. */
    void broadcast(HttpServerRequest request, int bytes, int recipients) {
        record(Action.BROADCAST, "room", client(request), "admin broadcast " + bytes + " bytes to " + recipients + " members");
    }

    /** The binding of {@code name} was released ({@code released}: it had one). */
    void released(HttpServerRequest request, String name, boolean released) {
        String target = ChatText.excerpt(name, MAX_NAME_IN_LOG);
        record(Action.RELEASE_NAME, target, client(request), released ? "admin released the name " + target
                : "admin released nothing: " + target + " is not bound");
    }

    /** {@code room}'s history was purged: {@code lines} lines. */
    void purged(HttpServerRequest request, String room, int lines) {
        String target = ChatText.excerpt(room, MAX_NAME_IN_LOG + 1);
        record(Action.PURGE_HISTORY, target, client(request), "admin purged " + lines + " lines of " + target + "'s history");
    }

    public long count(Action action) {
        return counts[action.ordinal()].sum();
    }

    private void record(Action action, String target, String client, String what) {
        counts[action.ordinal()].increment();
        MDC.put("action", action.name().toLowerCase(Locale.ROOT));
        MDC.put("target", target);
        MDC.put("client", client);
        try {
            AUDIT.infof("%s (from %s)", what, client);
        } finally {
            MDC.remove("action");
            MDC.remove("target");
            MDC.remove("client");
        }
    }

    private static String client(HttpServerRequest request) {
        SocketAddress remote = request == null ? null : request.remoteAddress();
        return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    }
}
