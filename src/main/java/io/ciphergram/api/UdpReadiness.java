package io.ciphergram.api;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.ciphergram.transport.udp.UdpTransport;

/** Ready once the UDP socket is bound: /q/health/ready. */
@Readiness
@ApplicationScoped
public class UdpReadiness implements HealthCheck {

    private final UdpTransport udp;

    public UdpReadiness(UdpTransport udp) {
        this.udp = udp;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("udp").status(udp.listening()).withData("port", udp.port()).build();
    }
}
