package io.ciphergram.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.relay.Admin;
import io.ciphergram.relay.Engine;
import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.LogCapture;
import io.ciphergram.testing.V2Peer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** The admin API under /api, against a running server with real clients on it. */
@QuarkusTest
class AdminApiTest {

    private static final String PROBLEM = "application/problem+json";

    @ConfigProperty(name = "ciphergram.admin.token")
    String token;

    @Inject
    UdpTransport udp;

    @Inject
    Engine engine;

    @TempDir
    Path home;

    @TestHTTPResource(value = "/openapi", management = true)
    URL openApiUrl;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metricsUrl;

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private RequestSpecification admin() {
        return given().auth().oauth2(token);
    }

    @Test
    void everyPathNeedsTheTokenAndEveryRefusalIsTheSame() {
        List<RequestSpecification> wrong = List.of(given(), given().auth().oauth2("not-the-token"),
                given().auth().oauth2(token + "x"), given().auth().oauth2(token.substring(1)),
                given().header("Authorization", "Basic " + token), given().header("Authorization", "Bearer"),
                given().header("Authorization", token));
        String firstBody = null;
        for (RequestSpecification request : wrong) {
            for (String path : List.of("/api/sessions", "/api/server", "/api/nothing-here")) {
                ExtractableResponse<Response> refused = request.get(path).then().statusCode(401)
                        .contentType(PROBLEM).header("WWW-Authenticate", "Bearer realm=\"ciphergram\"").extract();
                if (firstBody == null) {
                    firstBody = refused.asString();
                }
                assertThat(refused.asString()).as("the body of every refusal").isEqualTo(firstBody);
            }
        }
        given().auth().oauth2("nope").contentType(ContentType.JSON).body(Map.of("text", "hi")).post("/api/broadcast")
                .then().statusCode(401).contentType(PROBLEM);
        given().delete("/api/sessions/anyone").then().statusCode(401).contentType(PROBLEM);
        assertThat(firstBody).contains("\"status\":401").contains("\"title\":\"Unauthorized\"").doesNotContain(token);
        // The token reaches no log, whichever way it was presented.
        assertThat(logs.lines()).noneMatch(l -> l.contains(token) || l.contains("not-the-token"));
    }

    @Test
    void aV2SessionThatHasNotSentItsFirstRecordIsListedAsJoiningWithoutAName() throws Exception {
        io.ciphergram.protocol.v2.ClientHandshake handshake = new io.ciphergram.protocol.v2.ClientHandshake("a0half",
                new java.security.SecureRandom());
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            socket.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), udp.port()));
            socket.setSoTimeout(10_000);
            socket.send(new java.net.DatagramPacket(handshake.hello(), handshake.hello().length));
            byte[] buffer = new byte[2048];
            java.net.DatagramPacket in = new java.net.DatagramPacket(buffer, buffer.length);
            socket.receive(in);
            byte[] offer = handshake.onRetry((io.ciphergram.protocol.v2.V2Frame.Retry) io.ciphergram.protocol.v2.V2Codec
                    .decode(java.util.Arrays.copyOf(buffer, in.getLength())));
            socket.send(new java.net.DatagramPacket(offer, offer.length));
            socket.receive(in); // the KeyReply: the session exists, unproven and unnamed, until its first record
            String listing = admin().get("/api/sessions?limit=1000").then().statusCode(200).extract().asString();
            assertThat(listing).contains("\"name\":null").contains("\"state\":\"joining\"");
        }
    }

    @Test
    void sessionsListsEveryProfileWithoutAnyKey() throws Exception {
        try (ClassicPeer carol = ClassicPeer.join(udp.port(), "a1carol");
                ClassicPeer guest = ClassicPeer.joinWithoutHandshake(udp.port());
                V2Peer victor = V2Peer.join(udp.port(), "a1victor", home.resolve("known"))) {
            victor.awaitLine(l -> l.startsWith("* you are a1victor"));
            Map<String, Map<String, Object>> byName = sessionsByName();
            assertThat(byName.get("a1carol")).containsEntry("profile", "classic").containsEntry("transport", "udp")
                    .containsEntry("state", "member")
                    .containsEntry("remoteAddress", "127.0.0.1:" + carol.localPort());
            assertThat(((Number) byName.get("a1carol").get("messagesIn")).intValue()).isEqualTo(1); // its /help
            assertThat(((Number) byName.get("a1carol").get("messagesOut")).intValue()).isPositive();
            assertThat(byName.values()).anySatisfy(s -> assertThat(s).containsEntry("profile", "classic-guest")
                    .containsEntry("remoteAddress", "127.0.0.1:" + guest.localPort()));
            assertThat(byName.get("a1victor")).containsEntry("profile", "v2").containsEntry("transport", "udp");
            for (Map<String, Object> session : byName.values()) {
                assertThat(session).containsOnlyKeys("name", "profile", "transport", "remoteAddress", "state",
                        "connectedSince", "idleSeconds", "messagesIn", "messagesOut");
            }
        }
    }

    @Test
    void sessionsComeAPageAtATimeSortedByName() throws Exception {
        try (ClassicPeer a = ClassicPeer.join(udp.port(), "a2-aa");
                ClassicPeer b = ClassicPeer.join(udp.port(), "a2-bb");
                ClassicPeer c = ClassicPeer.join(udp.port(), "a2-cc")) {
            List<String> all = admin().get("/api/sessions?limit=1000").then().statusCode(200)
                    .extract().jsonPath().getList("sessions.name", String.class);
            List<String> ours = all.stream().filter(n -> n.startsWith("a2-")).toList();
            assertThat(ours).containsExactly("a2-aa", "a2-bb", "a2-cc");
            int at = all.indexOf("a2-bb");
            admin().get("/api/sessions?offset=" + at + "&limit=1").then().statusCode(200)
                    .body("sessions.name", equalTo(List.of("a2-bb"))).body("offset", equalTo(at))
                    .body("limit", equalTo(1)).body("total", equalTo(all.size()));
        }
        for (String listing : List.of("/api/sessions", "/api/names")) {
            for (String bad : List.of("limit=0", "limit=1001", "offset=-1", "limit=x", "offset=9999999999")) {
                admin().get(listing + "?" + bad).then().statusCode(400).contentType(PROBLEM)
                        .body("status", equalTo(400));
            }
            admin().get(listing + "?offset=0&limit=1000").then().statusCode(200).body("limit", equalTo(1000));
        }
    }

    @Test
    void removingAUserTellsItTheRoomAndClosesAV2SessionProperly() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "a3alice");
                ClassicPeer bob = ClassicPeer.join(udp.port(), "a3bob");
                V2Peer vera = V2Peer.join(udp.port(), "a3vera", home.resolve("known"))) {
            vera.awaitLine(l -> l.startsWith("* you are a3vera"));
            alice.awaitLine("* a3vera joined");

            double removals = metric("ciphergram_admin_actions_total{action=\"remove\"}");
            admin().delete("/api/sessions/A3BOB").then().statusCode(204);
            bob.awaitLine("* you were removed by the operator");
            assertThat(audit()).as("the audit line: what, on whom, from where; never the token")
                    .anyMatch(l -> l.startsWith("io.ciphergram.admin.audit INFO admin removed A3BOB (from 127.0.0.1) ")
                            && l.contains("action=remove") && l.contains("target=A3BOB") && l.contains("client=127.0.0.1"));
            assertThat(metric("ciphergram_admin_actions_total{action=\"remove\"}")).isEqualTo(removals + 1);
            alice.awaitLine("* a3bob left");
            vera.awaitLine("* a3bob left");
            assertThat(sessionsByName()).doesNotContainKey("a3bob");

            admin().delete("/api/sessions/a3vera").then().statusCode(204);
            vera.awaitLine("* you were removed by the operator");
            await().atMost(ClassicPeer.WAIT).until(() -> vera.connection().endedByServer());
            alice.awaitLine("* a3vera left");

            admin().delete("/api/sessions/a3bob").then().statusCode(404).contentType(PROBLEM)
                    .body("detail", containsString("a3bob"));
            assertThat(audit()).anyMatch(l -> l.contains("admin removed nobody: no session is named a3bob (from 127.0.0.1)"));
            admin().delete("/api/sessions/" + "x".repeat(300)).then().statusCode(404).contentType(PROBLEM)
                    .body("detail", not(containsString("x".repeat(40))));
        }
    }

    @Test
    void aBroadcastReachesEveryoneUnderTheirOwnKey() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "a4alice");
                V2Peer vera = V2Peer.join(udp.port(), "a4vera", home.resolve("known"))) {
            vera.awaitLine(l -> l.startsWith("* you are a4vera"));
            alice.awaitLine("* a4vera joined");
            int recipients = admin().contentType(ContentType.JSON).body(Map.of("text", "maintenance at 5 ✓"))
                    .post("/api/broadcast").then().statusCode(200).extract().path("recipients");
            assertThat(recipients).isGreaterThanOrEqualTo(2);
            alice.awaitLine("* [server] maintenance at 5 ✓");
            vera.awaitLine("* [server] maintenance at 5 ✓");
            assertThat(audit()).as("its size, never its text").anyMatch(l -> l.startsWith(
                    "io.ciphergram.admin.audit INFO admin broadcast 20 bytes to " + recipients + " members (from 127.0.0.1) ")
                    && l.contains("action=broadcast") && l.contains("target=room"));

            // Terminal controls are cleaned like any other text.
            admin().contentType(ContentType.JSON).body(Map.of("text", "bell\u0007 and \u001b[31mred"))
                    .post("/api/broadcast").then().statusCode(200);
            alice.awaitLine(l -> l.startsWith("* [server] bell") && l.chars().noneMatch(ch -> ch == 7 || ch == 27));
        }
        Map<String, String> answers = new LinkedHashMap<>();
        for (String body : List.of("{}", "{\"text\":\"\"}", "{\"text\":\"   \"}", "{\"text\":null}",
                "{\"text\":\"" + "y".repeat(Admin.MAX_BROADCAST_BYTES + 1) + "\"}", "not json", "[\"text\"]", "")) {
            Response answer = admin().contentType(ContentType.JSON).body(body).post("/api/broadcast");
            answers.put(body.length() > 20 ? body.substring(0, 20) : body, answer.statusCode() + " "
                    + answer.contentType() + " " + answer.asString());
        }
        assertThat(answers).allSatisfy((body, answer) -> assertThat(answer).startsWith("400 " + PROBLEM + " {")
                .contains("\"status\":400"));
        assertThat(logs.lines()).noneMatch(l -> l.contains("maintenance at 5"));
    }

    @Test
    void serverDescribesItselfAndItsLimits() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "a5alice")) {
            admin().get("/api/server").then().statusCode(200)
                    .body("fingerprint", equalTo(engine.identity().fingerprint().toString()))
                    .body("udpPort", equalTo(udp.port())).body("webSocketPath", equalTo("/ws"))
                    .body("version", not(equalTo("unknown")))
                    .body("sessionsByProfileAndTransport.classic.udp", greaterThanOrEqualTo(1))
                    .body("sessionsByProfileAndTransport.v2.ws", equalTo(0))
                    .body("sessions", greaterThanOrEqualTo(1))
                    .body("limits.maxSessions", equalTo(engine.settings().sessions().maxSessions()))
                    .body("limits.floodPerSecond", equalTo((float) engine.settings().sessions().floodPerSecond()))
                    .body("limits.keySet()", hasItem("v2MemoryBudgetBytes"))
                    .body("cluster.mode", equalTo("single")).body("cluster.instances", equalTo(null));
        }
    }

    @Test
    void errorsAreProblemDetailsInOneShape() {
        admin().get("/api/no-such-thing").then().statusCode(404).contentType(PROBLEM).body("status", equalTo(404))
                .body("title", equalTo("Not Found"));
        admin().put("/api/server").then().statusCode(405).contentType(PROBLEM).body("status", equalTo(405));
        admin().contentType(ContentType.TEXT).body("text").post("/api/broadcast").then().statusCode(415)
                .contentType(PROBLEM);
    }

    @Test
    void theOpenApiDocumentDescribesTheApiAndItsBearerScheme() {
        given().accept("application/json").get(openApiUrl).then().statusCode(200)
                .body("paths.keySet()", hasItems("/api/sessions", "/api/sessions/{name}",
                        "/api/broadcast", "/api/server"))
                .body("components.securitySchemes.bearer.type", equalTo("http"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("paths.'/api/sessions'.get.security[0].keySet()", hasItem("bearer"));
    }

    /** The audit lines logged so far; none carries the token. */
    private List<String> audit() {
        List<String> audit = logs.lines().stream().filter(l -> l.startsWith("io.ciphergram.admin.audit ")).toList();
        assertThat(audit).noneMatch(l -> l.contains(token));
        return audit;
    }

    private double metric(String series) {
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(
                series.length() + 1))).findFirst().orElseThrow(() -> new AssertionError("no " + series + " in " + metrics));
    }

    private Map<String, Map<String, Object>> sessionsByName() {
        List<Map<String, Object>> sessions = admin().get("/api/sessions?limit=1000").then().statusCode(200)
                .contentType(ContentType.JSON).extract().jsonPath().getList("sessions");
        Map<String, Map<String, Object>> byName = new HashMap<>();
        sessions.forEach(s -> byName.put((String) s.get("name"), s));
        return byName;
    }
}
