package io.ciphergram.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.ciphergram.protocol.Source;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards the service's HTTP ports (the page, {@code /ws}, {@code /api}; the management port too, with its own
 * counts) at the TCP level, which neither Quarkus nor Vert.x does: Quarkus bounds connections in total
 * ({@code quarkus.http.limits.max-connections}) but not per address, and nothing closes a connection whose
 * request never finishes its headers (Slowloris), since every byte resets an idle timeout.
 * <ul>
 * <li>at most {@code ciphergram.http.max-connections} per port (never more than the process's file
 * descriptors allow) and {@code ciphergram.http.max-connections-per-address} from one address (an IPv4
 * address or an IPv6 /64; never more than an eighth of the port's; a trusted proxy's count only in the total);
 * a connection over either is closed as it is accepted, before Vert.x sees it;</li>
 * <li>a connection must complete a request's headers within {@code ciphergram.http.header-timeout} of opening,
 * and of its previous response (keep-alive); a WebSocket, once upgraded, has its own idle timeout instead.</li>
 * </ul>
 * It sits in front of Vert.x's acceptor: a handler in each listening channel's Netty pipeline sees every new
 * connection; a route filter on every request tells it when a request's headers are in. Threads: the acceptor
 * thread admits; each connection's event loop releases it and runs its deadline.
 */
@ApplicationScoped
public class HttpConnectionGuard {

    private static final Logger LOG = Logger.getLogger(HttpConnectionGuard.class);
    /** File descriptors left for everything else: UDP sockets, jars, the management port, Redis, logs. */
    private static final int RESERVED_DESCRIPTORS = 512;
    private static final String HANDLER = "ciphergram-connection-guard";
    /** One address holds at most this fraction of a port's connections. */
    private static final int ADDRESS_SHARE = 8;

    private final int maxConnections;
    private final int maxPerAddress;
    private final long headerTimeoutNanos;
    private final TrustedProxies trustedProxies;
    private final Vertx vertx;
    /** Every guarded connection, by its two addresses (as a request's connection tells them). */
    private final Map<String, Guarded> connections = new ConcurrentHashMap<>();
    private final Set<Object> guardedServers = ConcurrentHashMap.newKeySet();
    private final LongAdder refusedOverTotal = new LongAdder();
    private final LongAdder refusedOverAddress = new LongAdder();
    private final LongAdder headerTimeouts = new LongAdder();

    public HttpConnectionGuard(@ConfigProperty(name = "ciphergram.http.max-connections") int maxConnections,
            @ConfigProperty(name = "ciphergram.http.max-connections-per-address") int maxPerAddress,
            @ConfigProperty(name = "ciphergram.http.header-timeout") Duration headerTimeout,
            @ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding", defaultValue = "false") boolean forwarding,
            @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies") Optional<List<String>> trustedProxies,
            Vertx vertx) {
        this.maxConnections = Math.min(maxConnections, affordable(descriptorLimit()));
        // one address may never fill a port, however few descriptors there are
        this.maxPerAddress = Math.max(1, Math.min(maxPerAddress, this.maxConnections / ADDRESS_SHARE));
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.trustedProxies = forwarding ? TrustedProxies.parse(trustedProxies) : TrustedProxies.NONE;
        this.vertx = vertx;
    }

    /** The process's file descriptor limit, or -1 where the JVM does not say. */
    static long descriptorLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /** Connections one port may hold so that two ports full still leave descriptors for everything else. */
    static int affordable(long descriptors) {
        if (descriptors < 0) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, (descriptors - RESERVED_DESCRIPTORS) / 2));
    }

    /** Every request passes here first: its connection's headers are complete. */
    void filter(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::requestStarted).failureHandler(HttpConnectionGuard::withoutHost);
    }

    void filterManagement(@Observes ManagementInterface management) {
        management.router().route().order(Integer.MIN_VALUE).handler(this::requestStarted)
                .failureHandler(HttpConnectionGuard::withoutHost);
    }

    /**
     * A request without a Host header (RFC 9112 section 3.2) is refused by Vert.x Web before any handler runs;
     * Quarkus would log each at ERROR, so anyone could fill the log. It gets its 400 here, quietly.
     */
    private static void withoutHost(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (rc.statusCode() == 400 && request.version() != HttpVersion.HTTP_2 && request.getHeader("Host") == null) {
            rc.response().setStatusCode(400).end();
        } else {
            rc.next();
        }
    }

    /** Once the HTTP server listens: a guard in front of every listening port's acceptor. */
    void install(@ObservesAsync HttpServerStart started) {
        guardListeningServers();
    }

    private synchronized void guardListeningServers() {
        Collection<? extends TCPServerBase> servers = ((VertxInternal) vertx).sharedHttpServers().values();
        for (TCPServerBase server : servers) {
            if (guardedServers.add(server)) {
                Channel listening = listeningChannel(server);
                listening.pipeline().addFirst(HANDLER, new AcceptGuard(new ConnectionLimits(maxConnections, maxPerAddress)));
                LOG.infof("HTTP port %d: at most %d connections, %d from one address; request headers within %d s",
                        server.actualPort(), maxConnections, maxPerAddress, TimeUnit.NANOSECONDS.toSeconds(headerTimeoutNanos));
            }
        }
    }

    /**
     * Vert.x keeps the bound channel to itself; its bind future holds it. Should a Vert.x upgrade move it, the
     * service refuses to start rather than run unguarded.
     */
    private static Channel listeningChannel(TCPServerBase server) {
        try {
            Field bind = TCPServerBase.class.getDeclaredField("bindFuture");
            bind.setAccessible(true);
            @SuppressWarnings("unchecked")
            Future<Channel> bound = (Future<Channel>) bind.get(server);
            return bound.result();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot guard the HTTP port: this Vert.x keeps its listening channel elsewhere", e);
        }
    }

    /** Open connections on every guarded port. */
    public int open() {
        return connections.size();
    }

    /** Connections closed on arrival because their port was full. */
    public long refusedOverTotal() {
        return refusedOverTotal.sum();
    }

    /** Connections closed on arrival because their address held its share. */
    public long refusedOverAddress() {
        return refusedOverAddress.sum();
    }

    /** Connections closed because a request's headers did not arrive in time. */
    public long headerTimeouts() {
        return headerTimeouts.sum();
    }

    private static String key(InetSocketAddress remote, InetSocketAddress local) {
        return remote.getAddress().getHostAddress() + ":" + remote.getPort() + ">" + local.getAddress().getHostAddress()
                + ":" + local.getPort();
    }

    private static String key(SocketAddress remote, SocketAddress local) {
        return remote.hostAddress() + ":" + remote.port() + ">" + local.hostAddress() + ":" + local.port();
    }

    private void requestStarted(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        HttpConnection connection = request.connection();
        Guarded guarded = connection == null ? null : connections.get(key(connection.remoteAddress(), connection.localAddress()));
        if (guarded != null) {
            guarded.requestStarted();
            boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
            rc.addEndHandler(done -> guarded.requestEnded(upgrade && rc.response().getStatusCode() == 101));
        }
        rc.next();
    }

    /** One connection's requests in progress, and its deadline while it has none. */
    private final class Guarded {
        private final Channel channel;
        private int inProgress;
        private boolean upgraded;
        private ScheduledFuture<?> deadline;

        Guarded(Channel channel) {
            this.channel = channel;
        }

        /** Starts the wait for a request's headers, on {@code timer} (the connection's event loop once it has one). */
        synchronized void arm(EventExecutor timer) {
            if (!upgraded && inProgress == 0 && channel.isOpen()) {
                deadline = timer.schedule(this::expire, headerTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }

        synchronized void requestStarted() {
            inProgress++;
            disarm();
        }

        synchronized void requestEnded(boolean becameWebSocket) {
            inProgress--;
            upgraded |= becameWebSocket;
            arm(channel.eventLoop());
        }

        synchronized void disarm() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void expire() {
            synchronized (this) {
                if (deadline == null) {
                    return; // a request began meanwhile
                }
                deadline = null;
            }
            headerTimeouts.increment();
            channel.close();
        }
    }

    /** In the listening channel's pipeline, before Vert.x's acceptor: each message is a new connection. */
    @ChannelHandler.Sharable
    private final class AcceptGuard extends ChannelInboundHandlerAdapter {

        private final ConnectionLimits limits;

        AcceptGuard(ConnectionLimits limits) {
            this.limits = limits;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            Channel child = (Channel) message;
            InetSocketAddress remote = (InetSocketAddress) child.remoteAddress();
            InetSocketAddress local = (InetSocketAddress) child.localAddress();
            if (remote == null || local == null) {
                ctx.fireChannelRead(message);
                return;
            }
            Source source = Source.of(remote.getAddress());
            boolean exempt = trustedProxies.contains(remote.getAddress());
            ConnectionLimits.Admission admission = limits.admit(source, exempt);
            if (admission != ConnectionLimits.Admission.ADMITTED) {
                (admission == ConnectionLimits.Admission.OVER_TOTAL ? refusedOverTotal : refusedOverAddress).increment();
                child.unsafe().closeForcibly(); // not yet registered with an event loop: closed here and now
                return;
            }
            String key = key(remote, local);
            Guarded guarded = new Guarded(child);
            connections.put(key, guarded);
            child.closeFuture().addListener(closed -> {
                guarded.disarm();
                connections.remove(key, guarded);
                limits.release(source, exempt);
            });
            guarded.arm(ctx.executor());
            ctx.fireChannelRead(message);
        }
    }
}
