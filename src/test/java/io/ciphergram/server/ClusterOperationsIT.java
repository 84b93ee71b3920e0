package io.ciphergram.server;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.DocumentedExamples;
import io.ciphergram.testing.RedisServer;
import io.ciphergram.testing.ServiceProcess;

/**
 * One instance of the packaged service in cluster mode, as docs/OPERATIONS.md starts it: it starts without
 * a single warning, and its readiness and {@code GET /api/server} look like the documented cluster examples.
 */
class ClusterOperationsIT {

    private static final String TOKEN = "it-cluster-ops-token-8b20";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aClusterInstanceStartsWithoutWarningsAndAnswersAsDocumented() throws Exception {
        Path work = Path.of("target/it-cluster-ops");
        Files.createDirectories(work);
        DocumentedExamples doc = DocumentedExamples.of(DocumentedExamples.OPERATIONS);
        try (RedisServer redis = RedisServer.start();
                ServiceProcess service = ServiceProcess.launch(List.of(), List.of(),
                        Map.of("ciphergram.identity.path", work.resolve("server_identity.pem").toString()),
                        Map.of("CIPHERGRAM_CLUSTER_REDIS", redis.url(), "CIPHERGRAM_CLUSTER_INSTANCE", "chat-1",
                                "CIPHERGRAM_ADMIN_TOKEN", TOKEN)).awaitStarted()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> given().get(service.managementUrl("/q/health/ready"))
                    .statusCode() == 200);
            try (ClassicPeer alice = ClassicPeer.join(service.udpPort(), "alice")) {
                // The instance describes itself to the cluster with its first heartbeat after start (2 s): the
                // documented answer is the steady one, so it is awaited.
                JsonNode documented = doc.example("api localhost:8080/api/server", "cluster");
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    JsonNode server = JSON.readTree(given().auth().oauth2(TOKEN).get(service.httpUrl("/api/server")).asString());
                    assertThat(DocumentedExamples.differences(documented, server)).as("GET /api/server %s", server).isEmpty();
                });
                JsonNode ready = JSON.readTree(given().get(service.managementUrl("/q/health/ready")).asString());
                assertThat(DocumentedExamples.differences(doc.example("curl -s localhost:9000/q/health/ready", "cluster"),
                        ready)).as("readiness %s", ready).isEmpty();
            }
            assertThat(service.log()).as("a clean start and some traffic").noneMatch(l -> l.contains(" WARN "));
        }
    }
}
