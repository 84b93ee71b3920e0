package io.ciphergram.transport.ws;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/**
 * Decides whether a WebSocket upgrade is accepted, and records who asked. The Host header must name this
 * server ({@link AllowedHosts}, {@code ciphergram.ws.allowed-hosts}), else 403: otherwise a site whose name
 * an attacker points at the server (DNS rebinding) is the page's own origin. A browser's upgrade is then
 * accepted only from the gateway's own origin (the page it serves) or one an operator allows
 * ({@code ciphergram.ws.allowed-origins}), so another site cannot make its visitors' browsers join. A
 * request without an Origin header is not from a browser (the load generator, a script) and is let
 * through: these checks only protect browsers from being used by other sites. The client's address
 * (with {@code quarkus.http.proxy.proxy-address-forwarding}, the one a proxy reports) becomes the peer's,
 * so per-source limits key on the client's IP, not on the connection.
 */
@ApplicationScoped
public class UpgradeCheck implements HttpUpgradeCheck {

    /** Where the client's address is kept for the connection. */
    static final UserData.TypedKey<InetSocketAddress> REMOTE = new UserData.TypedKey<>("ciphergram.remote");
    /** The TCP connection under the WebSocket: closed at once when the gateway gives up on it. */
    static final UserData.TypedKey<HttpConnection> TCP = new UserData.TypedKey<>("ciphergram.tcp");
    /** RFC 6455 section 4.2.2: a server that does not accept the origin answers 403. */
    private static final int FORBIDDEN = 403;
    /** RFC 9112 section 3.2: a request without a Host header is a bad request. */
    private static final int BAD_REQUEST = 400;

    private final List<String> allowedOrigins;
    private final AllowedHosts allowedHosts;

    public UpgradeCheck(@ConfigProperty(name = "ciphergram.ws.allowed-origins") Optional<List<String>> allowedOrigins,
            @ConfigProperty(name = "ciphergram.ws.allowed-hosts") Optional<List<String>> allowedHosts) {
        this.allowedOrigins = allowedOrigins.orElse(List.of()).stream().map(o -> o.strip().toLowerCase(Locale.ROOT)).toList();
        this.allowedHosts = AllowedHosts.of(allowedHosts);
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        HostAndPort authority = request.authority();
        if (authority == null) {
            return CheckResult.rejectUpgrade(BAD_REQUEST);
        }
        InetSocketAddress remote = address(request.remoteAddress());
        if (remote == null || !allowedHosts.allows(authority.host()) || !originPermitted(request, authority)) {
            return CheckResult.rejectUpgrade(FORBIDDEN);
        }
        context.userData().put(REMOTE, remote);
        context.userData().put(TCP, request.connection());
        return CheckResult.permitUpgrade();
    }

    private boolean originPermitted(HttpServerRequest request, HostAndPort authority) {
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        String normalised = origin.strip().toLowerCase(Locale.ROOT);
        String own = request.scheme() + "://" + authority.host() + (authority.port() < 0 ? "" : ":" + authority.port());
        return normalised.equals(own.toLowerCase(Locale.ROOT)) || allowedOrigins.contains(normalised);
    }

    private static InetSocketAddress address(SocketAddress remote) {
        if (remote == null || remote.hostAddress() == null) {
            return null;
        }
        try {
            // hostAddress() is an IP literal: this parses it and never resolves a name.
            return new InetSocketAddress(InetAddress.getByName(remote.hostAddress()), remote.port());
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
