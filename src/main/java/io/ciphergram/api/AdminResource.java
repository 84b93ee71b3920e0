package io.ciphergram.api;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ciphergram.cluster.ClusterNode;
import io.ciphergram.cluster.ClusterStatus;
import io.ciphergram.protocol.ChatText;
import io.ciphergram.relay.Admin;
import io.ciphergram.relay.Engine;
import io.ciphergram.session.Session;
import io.ciphergram.transport.udp.UdpTransport;
import io.ciphergram.transport.ws.WsTransport;

/**
 * The admin API, {@code /api}: see and manage sessions, announce, and read the server's state. Bearer
 * token required ({@link AdminAuthentication}); every error is problem details ({@link Problem}). It only
 * asks the engine, whose state belongs to the relay thread, through {@link Admin}.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin", description = "Operate the relay")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The token configured as ciphergram.admin.token (CIPHERGRAM_ADMIN_TOKEN)")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "401", description = "No token, or a wrong one",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class AdminResource {

    /** At most this many sessions per page (the registry can hold 10,000). */
    static final int MAX_PAGE = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Admin admin;
    private final Engine engine;
    private final UdpTransport udp;
    private final WsTransport ws;
    private final String version;

    public AdminResource(Engine engine, UdpTransport udp, WsTransport ws,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.engine = engine;
        this.admin = engine.relay().admin();
        this.udp = udp;
        this.ws = ws;
        this.version = version;
    }

    /** A page of sessions: {@code total} in all, {@code sessions} from {@code offset}. */
    public record SessionPage(int total, int offset, int limit, List<SessionJson> sessions) {
    }

    /** One session; never a key. */
    public record SessionJson(String name, String profile, String transport, String remoteAddress, String state,
            Instant connectedSince, long idleSeconds, long messagesIn, long messagesOut) {
    }

    @GET
    @Path("/sessions")
    @Operation(summary = "Sessions, sorted by name, a page at a time (at most 1000)")
    @APIResponse(responseCode = "200", description = "A page of sessions")
    @APIResponse(responseCode = "400", description = "A negative offset or a limit outside 1..1000",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> sessions(
            @Parameter(description = "How many sessions to skip", schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            @QueryParam("offset") @DefaultValue("0") String offsetParam,
            @Parameter(description = "How many sessions to return", schema = @Schema(type = SchemaType.INTEGER, minimum = "1",
                    maximum = "1000")) @QueryParam("limit") @DefaultValue("100") String limitParam) {
        int offset = parse(offsetParam);
        int limit = parse(limitParam);
        if (offset < 0 || limit < 1 || limit > MAX_PAGE) {
            return done(Problem.response(Response.Status.BAD_REQUEST, "offset must be a number from 0 and limit one from 1 to "
                    + MAX_PAGE));
        }
        Instant now = Instant.now();
        return admin.sessions(offset, limit).thenApply(page -> Response.ok(new SessionPage(page.total(), offset, limit,
                page.sessions().stream().map(s -> new SessionJson(s.name(), s.profile(), s.transport(), s.remoteAddress(),
                        s.state(), now.minusMillis(s.connectedMillis()), s.idleMillis() / 1000, s.messagesIn(),
                        s.messagesOut())).toList())).build());
    }

    @DELETE
    @Path("/sessions/{name}")
    @Operation(summary = "Remove a user: told first, a v2 session closed properly, the room sees the usual leave")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "No session has that name",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> remove(@PathParam("name") String name) {
        return admin.remove(name).thenApply(removed -> removed ? Response.noContent().build()
                : Problem.response(Response.Status.NOT_FOUND, "no session is named " + ChatText
                        .excerpt(name, 32)));
    }

    /** What to announce. */
    public record Broadcast(String text) {
    }

    /** How many members were told. */
    public record Broadcasted(int recipients) {
    }

    @POST
    @Path("/broadcast")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A notice from the server to every member, encrypted for each: * [server] TEXT")
    @APIResponse(responseCode = "200", description = "Sent",
            content = @Content(schema = @Schema(implementation = Broadcasted.class)))
    @APIResponse(responseCode = "400", description = "No text, or too long for one classic datagram",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> broadcast(Broadcast body) {
        String text = body == null ? null : body.text();
        if (text == null || text.isBlank()) {
            return done(Problem.response(Response.Status.BAD_REQUEST, "text is required"));
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Admin.MAX_BROADCAST_BYTES) {
            return done(Problem.response(Response.Status.BAD_REQUEST, "text is " + bytes + " bytes; at most "
                    + Admin.MAX_BROADCAST_BYTES + " fit in one classic datagram"));
        }
        return admin.broadcast(text).thenApply(n -> Response.ok(new Broadcasted(n)).build());
    }

    /**
     * The server's state and configuration, as an operator needs it. Sessions, connections and limits are
     * this instance's; {@code cluster} names the cluster and its instances.
     */
    public record ServerJson(String version, long uptimeSeconds, String fingerprint, int udpPort, String webSocketPath,
            int webSocketConnections, int sessions, int handshakesPending,
            Map<String, Map<String, Integer>> sessionsByProfileAndTransport,
            Map<String, Object> limits, ClusterJson cluster) {
    }

    /**
     * The cluster this instance is part of: {@code mode} {@code single} (alone: the other fields are null)
     * or {@code redis}.
     */
    public record ClusterJson(String mode, String name, String instance, Boolean linkUp, List<InstanceJson> instances) {
    }

    /** One live instance, as this one last saw it: its room members, and what it says of itself. */
    public record InstanceJson(String id, boolean self, int members, Map<String, Object> info) {
    }

    @GET
    @Path("/server")
    @Operation(summary = "Version, uptime, identity fingerprint, ports, sessions and the effective limits of this"
            + " instance; the cluster and its instances")
    public ServerJson server() {
        var settings = engine.settings();
        var limits = settings.sessions();
        Map<String, Map<String, Integer>> byKind = new TreeMap<>();
        int total = 0;
        for (String profile : Session.PROFILES) {
            for (String transport : RelayMetrics.TRANSPORTS) {
                int n = engine.sessions().count(profile, transport);
                byKind.computeIfAbsent(profile, p -> new TreeMap<>()).put(transport, n);
                total += n;
            }
        }
        return new ServerJson(version, ManagementFactory.getRuntimeMXBean().getUptime() / 1000,
                engine.identity() == null ? null : engine.identity().fingerprint().toString(), udp.port(), "/ws",
                ws.connections(), total, engine.sessions().pendingHandshakes(), byKind, new TreeMap<>(Map.ofEntries(
                        Map.entry("maxSessions", limits.maxSessions()),
                        Map.entry("idleTimeoutSeconds", limits.idleTimeout().toSeconds()),
                        Map.entry("handshakeTimeoutSeconds", limits.handshakeTimeout().toSeconds()),
                        Map.entry("unprovenTimeoutSeconds", limits.unprovenTimeout().toSeconds()),
                        Map.entry("floodPerSecond", limits.floodPerSecond()),
                        Map.entry("floodBurst", limits.floodBurst()),
                        Map.entry("handshakesPerSecond", limits.handshakesPerSecond()),
                        Map.entry("handshakeBurst", limits.handshakeBurst()),
                        Map.entry("handshakesPerSource", limits.handshakesPerSource()),
                        Map.entry("unprovenPerSource", limits.unprovenPerSource()),
                        Map.entry("sessionsPerSource", limits.sessionsPerSource()),
                        Map.entry("v2MemoryBudgetBytes", limits.v2MemoryBudget()),
                        Map.entry("v2IdleTimeoutSeconds", settings.v2IdleTimeout().toSeconds()),
                        Map.entry("v2KeepaliveSeconds", settings.v2Keepalive().toSeconds()),
                        Map.entry("v2QueueFullTimeoutSeconds", settings.v2QueueFullTimeout().toSeconds()),
                        Map.entry("reflectionWindowBlocks", settings.reflectionWindow()))), cluster());
    }

    private ClusterJson cluster() {
        ClusterNode node = engine.cluster();
        if (node == null) {
            return new ClusterJson("single", null, null, null, null);
        }
        ClusterStatus status = node.status();
        return new ClusterJson("redis", status.cluster(), status.instance(), node.linkUp(), status.instances().stream()
                .map(i -> new InstanceJson(i.id(), i.self(), i.members(), info(i.info()))).toList());
    }

    /** What another instance says of itself: JSON it wrote, read as untrusted (anything else is left out). */
    private Map<String, Object> info(String json) {
        try {
            Map<String, Object> info = JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
            return info == null ? Map.of() : info;
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    /** A non-negative decimal number, or -1 (JAX-RS would answer 404 for an unparsable number). */
    private static int parse(String number) {
        try {
            return number.length() <= 9 ? Integer.parseInt(number) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static CompletionStage<Response> done(Response response) {
        return CompletableFuture.completedFuture(response);
    }
}
