package io.ciphergram.api;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.ciphergram.server.Lifecycle;
import io.ciphergram.transport.udp.UdpTransport;

/** Ready while the UDP socket is bound and the server is not shutting down: /q/health/ready. */
@Readiness
@ApplicationScoped
public class UdpReadiness implements HealthCheck {

    private final UdpTransport udp;
    private final Lifecycle lifecycle;

    public UdpReadiness(UdpTransport udp, Lifecycle lifecycle) {
        this.udp = udp;
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("udp").status(udp.listening() && !lifecycle.stopping())
                .withData("port", udp.port()).withData("shutting-down", lifecycle.stopping()).build();
    }
}
