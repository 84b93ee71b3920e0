package io.ciphergram.server;

import java.util.List;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start behind a proxy nobody named. With {@code quarkus.http.proxy.proxy-address-forwarding} on,
 * Quarkus takes a client's address from {@code Forwarded} or {@code X-Forwarded-For}; without
 * {@code quarkus.http.proxy.trusted-proxies} it believes those headers from anyone, so a client that connects
 * directly chooses its own address and spends another address's limits (sessions, handshakes, connections).
 */
@ApplicationScoped
public class ProxyForwardingCheck {

    static final String REFUSAL = "quarkus.http.proxy.proxy-address-forwarding is on but quarkus.http.proxy.trusted-proxies"
            + " is not set: any client could name its own address in X-Forwarded-For or Forwarded and spend another"
            + " address's limits. Set quarkus.http.proxy.trusted-proxies (QUARKUS_HTTP_PROXY_TRUSTED_PROXIES) to the"
            + " proxies' addresses or ranges (e.g. 10.0.0.5,10.0.1.0/24), or turn forwarding off";

    private final boolean forwarding;
    private final Optional<List<String>> trustedProxies;

    public ProxyForwardingCheck(
            @ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding", defaultValue = "false") boolean forwarding,
            @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies") Optional<List<String>> trustedProxies) {
        this.forwarding = forwarding;
        this.trustedProxies = trustedProxies;
    }

    /** Before anything else starts. */
    void check(@Observes @Priority(1) StartupEvent event) {
        if (forwarding && TrustedProxies.parse(trustedProxies).isEmpty()) {
            throw new IllegalStateException(REFUSAL);
        }
    }
}
