package io.ciphergram.server;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.ciphergram.relay.Engine;
import io.ciphergram.transport.udp.UdpTransport;
import io.ciphergram.transport.ws.WsTransport;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Graceful shutdown (SIGTERM, a container stop, Ctrl-C): readiness goes DOWN at once, every participant
 * is told {@code * server shutting down} (v2 clients also get a Close, so they end cleanly and the console
 * client exits saying why), and within {@code ciphergram.shutdown.grace} the last datagrams have left and
 * the transports close. It runs before the transports' own shutdown observers.
 */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);

    private final Engine engine;
    private final UdpTransport udp;
    private final WsTransport ws;
    private final Duration grace;
    private volatile boolean stopping;

    public Lifecycle(Engine engine, UdpTransport udp, WsTransport ws,
            @ConfigProperty(name = "ciphergram.shutdown.grace") Duration grace) {
        this.engine = engine;
        this.udp = udp;
        this.ws = ws;
        this.grace = grace;
    }

    /** True from the moment the server starts shutting down: readiness is DOWN. */
    public boolean stopping() {
        return stopping;
    }

    void stop(@Observes @Priority(10) ShutdownEvent event) {
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            engine.relay().shutdown().get(grace.toNanos(), TimeUnit.NANOSECONDS);
            udp.drain(deadline - System.nanoTime());
        } catch (TimeoutException e) {
            LOG.warnf("shutdown: the last notices were not all sent within %s", grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("shutdown: telling the participants failed", e.getCause());
        }
        ws.shutdown("server shutting down");
    }
}
