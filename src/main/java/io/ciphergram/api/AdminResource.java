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
import jakarta.ws.rs.core.Context;
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

import com.fasterxml.jackson.annotation.JsonInclude;
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
import io.vertx.core.http.HttpServerRequest;

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
    private final AdminAudit audit;

    public AdminResource(Engine engine, UdpTransport udp, WsTransport ws, AdminAudit audit,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.engine = engine;
        this.admin = engine.relay().admin();
        this.udp = udp;
        this.ws = ws;
        this.audit = audit;
        this.version = version;
    }

    /** A page of sessions: {@code total} in all, {@code sessions} from {@code offset}. */
    public record SessionPage(int total, int offset, int limit, List<Admin.SessionView> sessions) {
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
        PageQuery query = PageQuery.of(offsetParam, limitParam);
        if (query == null) {
            return done(PageQuery.refused());
        }
        return admin.sessions(query.offset(), query.limit()).thenApply(page -> Response.ok(
                new SessionPage(page.total(), query.offset(), query.limit(), page.sessions())).build());
    }

    @DELETE
    @Path("/sessions/{name}")
    @Operation(summary = "Remove a user: told first, a v2 session closed properly, the room sees the usual leave")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "No session has that name",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> remove(@PathParam("name") String name, @Context HttpServerRequest request) {
        return admin.remove(name).thenApply(removed -> {
            audit.removed(request, name, removed);
            return removed ? Response.noContent().build()
                    : Problem.response(Response.Status.NOT_FOUND, "no session is named " + ChatText.excerpt(name, 32));
        });
    }

    /** A page of name bindings: {@code total} in all, {@code names} from {@code offset}. */
    public record NamePage(int total, int offset, int limit, List<NameJson> names) {
    }

    /** A name bound to an identity: its owner's key by fingerprint; never a private key. */
    public record NameJson(String name, String identity, Instant boundAt, Instant lastUsed, boolean prekey) {
    }

    @GET
    @Path("/names")
    @Operation(summary = "Names bound to identities, sorted by name, a page at a time (at most 1000)")
    @APIResponse(responseCode = "200", description = "A page of bindings")
    @APIResponse(responseCode = "400", description = "A negative offset or a limit outside 1..1000",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> names(@QueryParam("offset") @DefaultValue("0") String offsetParam,
            @QueryParam("limit") @DefaultValue("100") String limitParam) {
        PageQuery query = PageQuery.of(offsetParam, limitParam);
        if (query == null) {
            return done(PageQuery.refused());
        }
        return admin.names(query.offset(), query.limit()).thenApply(page -> Response.ok(new NamePage(page.total(),
                query.offset(), query.limit(),
                page.names().stream().map(b -> new NameJson(b.name(), b.identity(), Instant.ofEpochMilli(b.boundMillis()),
                        Instant.ofEpochMilli(b.lastUsedMillis()), b.prekey())).toList())).build());
    }

    @DELETE
    @Path("/names/{name}")
    @Operation(summary = "Release a bound name: anyone may take it again; its mailbox goes with it")
    @APIResponse(responseCode = "204", description = "Released")
    @APIResponse(responseCode = "404", description = "The name is not bound",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> release(@PathParam("name") String name, @Context HttpServerRequest request) {
        String valid = io.ciphergram.protocol.UserName.isValid(name) ? name : null;
        if (valid == null) {
            return done(Problem.response(Response.Status.NOT_FOUND, "no name " + ChatText.excerpt(name, 32) + " is bound"));
        }
        return admin.release(valid).thenApply(released -> {
            audit.released(request, valid, released);
            return released ? Response.noContent().build()
                    : Problem.response(Response.Status.NOT_FOUND, "no name " + valid + " is bound");
        });
    }

    /** How many lines of history were forgotten. */
    public record Purged(String room, int lines) {
    }

    @DELETE
    @Path("/rooms/{room}/history")
    @Operation(summary = "Forget a room's history (the room is #NAME; in a URL #dev is %23dev)")
    @APIResponse(responseCode = "200", description = "Purged", content = @Content(schema = @Schema(implementation = Purged.class)))
    @APIResponse(responseCode = "404", description = "Not a room name",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> purge(@PathParam("room") String room, @Context HttpServerRequest request) {
        String canonical = io.ciphergram.protocol.RoomName.canonical(room.startsWith("#") ? room : "#" + room);
        if (canonical == null) {
            return done(Problem.response(Response.Status.NOT_FOUND, "no room " + ChatText.excerpt(room, 33)));
        }
        return admin.purgeHistory(canonical).thenApply(lines -> {
            audit.purged(request, canonical, lines);
            return Response.ok(new Purged(canonical, lines)).build();
        });
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
    public CompletionStage<Response> broadcast(Broadcast body, @Context HttpServerRequest request) {
        String text = body == null ? null : body.text();
        if (text == null || text.isBlank()) {
            return done(Problem.response(Response.Status.BAD_REQUEST, "text is required"));
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Admin.MAX_BROADCAST_BYTES) {
            return done(Problem.response(Response.Status.BAD_REQUEST, "text is " + bytes + " bytes; at most "
                    + Admin.MAX_BROADCAST_BYTES + " fit in one classic datagram"));
        }
        return admin.broadcast(text).thenApply(n -> {
            audit.broadcast(request, bytes, n);
            return Response.ok(new Broadcasted(n)).build();
        });
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
     * The cluster this instance is part of: {@code mode} {@code single} (alone: nothing else is said) or
     * {@code redis}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
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
                        Map.entry("reflectionLimitBlocks", settings.reflectionLimit()))), cluster());
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

    /**
     * The {@code offset} and {@code limit} of a paged listing (sessions, names). They are taken as strings
     * and parsed here because JAX-RS answers 404, not 400, for a query parameter that is not a number.
     */
    private record PageQuery(int offset, int limit) {

        /** The page asked for; null unless offset is a number from 0 and limit one from 1 to the maximum. */
        static PageQuery of(String offset, String limit) {
            int from = number(offset);
            int count = number(limit);
            return from < 0 || count < 1 || count > MAX_PAGE ? null : new PageQuery(from, count);
        }

        static Response refused() {
            return Problem.response(Response.Status.BAD_REQUEST, "offset must be a number from 0 and limit one from 1 to "
                    + MAX_PAGE);
        }

        /** A non-negative decimal number, or -1. */
        private static int number(String text) {
            try {
                return text.length() <= 9 ? Integer.parseInt(text) : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private static CompletionStage<Response> done(Response response) {
        return CompletableFuture.completedFuture(response);
    }
}
