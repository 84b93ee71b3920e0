package io.ciphergram.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.DocumentedExamples;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * docs/OPERATIONS.md shows the health checks' and the admin API's answers: each example is held to what the
 * running service answers the same request (a single instance; ClusterOperationsIT holds the cluster ones).
 */
@QuarkusTest
class OperationsDocTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DocumentedExamples doc = DocumentedExamples.of(DocumentedExamples.OPERATIONS);

    @ConfigProperty(name = "ciphergram.admin.token")
    String token;

    @Inject
    UdpTransport udp;

    @TestHTTPResource(value = "/health/live", management = true)
    URL liveUrl;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readyUrl;

    private RequestSpecification admin() {
        return given().auth().oauth2(token);
    }

    private static void assertLike(JsonNode documented, String real) throws Exception {
        assertThat(DocumentedExamples.differences(documented, JSON.readTree(real))).as("the documented %s against %s",
                documented, real).isEmpty();
    }

    @Test
    void theHealthChecksAnswerAsDocumented() throws Exception {
        assertLike(doc.example("curl -s localhost:9000/q/health/live", ""), given().get(liveUrl).asString());
        assertLike(doc.example("curl -s localhost:9000/q/health/ready", "alone"), given().get(readyUrl).asString());
    }

    @Test
    void theAdminApiAnswersAsDocumented() throws Exception {
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "alice");
                ClassicPeer mallory = ClassicPeer.join(udp.port(), "mallory")) {
            assertLike(doc.example("api localhost:8080/api/server", "alone"), admin().get("/api/server").asString());
            assertLike(doc.example("api 'localhost:8080/api/sessions?offset=0&limit=100'", ""),
                    admin().get("/api/sessions?offset=0&limit=100").asString());
            admin().delete("/api/sessions/mallory").then().statusCode(204);
            assertLike(doc.example("api -X POST localhost:8080/api/broadcast -H 'Content-Type: application/json' \\", ""),
                    admin().contentType(ContentType.JSON).body("{\"text\":\"restarting for an upgrade at 18:00\"}")
                            .post("/api/broadcast").then().statusCode(200).extract().asString());
            assertLike(doc.example("api -X POST localhost:8080/api/broadcast -H 'Content-Type: application/json' -d '{\"text\":\"\"}'",
                    ""), admin().contentType(ContentType.JSON).body("{\"text\":\"\"}").post("/api/broadcast").then()
                    .statusCode(400).extract().asString());
        } finally {
            admin().delete("/api/sessions/alice");
        }
    }

    @Test
    void aRoomsHistoryIsPurgedAsDocumented() throws Exception {
        try (ClassicPeer carol = ClassicPeer.join(udp.port(), "carol")) {
            carol.say("a line for the history");
            carol.say("/who"); // answered after the line is handled: the relay takes one peer's datagrams in order
            carol.awaitLine(l -> l.startsWith("* online"));
            JsonNode purged = JSON.readTree(admin().urlEncodingEnabled(false).delete("/api/rooms/%23lobby/history")
                    .then().statusCode(200)
                    .extract().asString());
            assertLike(doc.example("api -X DELETE localhost:8080/api/rooms/%23lobby/history", ""), purged.toString());
            assertThat(purged.get("lines").asInt()).isPositive();
            try (ClassicPeer dave = ClassicPeer.join(udp.port(), "dave")) {
                dave.say("/who");
                dave.awaitLine(l -> l.startsWith("* online"));
                assertThat(dave.received()).as("nothing earlier is left to send").noneMatch(l -> l.startsWith("* earlier in"));
            }
        }
        admin().delete("/api/rooms/no room/history").then().statusCode(404);
        admin().delete("/api/rooms/dev/history").then().statusCode(200); // the # may be left out
    }
}
