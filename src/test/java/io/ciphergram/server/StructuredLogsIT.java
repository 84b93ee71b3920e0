package io.ciphergram.server;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.DocumentedExamples;
import io.ciphergram.testing.ProcessPeer;

/**
 * The packaged service configured the way an operator would, through the environment: JSON logs
 * ({@code QUARKUS_LOG_CONSOLE_JSON_ENABLED=true}, as documented) start without a single warning, carry the
 * peer, profile and reason of session and drop events and the admin audit's fields, look like the examples of
 * docs/OPERATIONS.md, and neither the admin token ({@code CIPHERGRAM_ADMIN_TOKEN}) nor a message's text
 * appears in any line, even at debug level.
 */
class StructuredLogsIT {

    private static final Path SERVICE = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String TOKEN = "it-admin-token-7d41c9e2";
    private static final String SECRET = "text-that-must-stay-out-of-logs-2291";

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void jsonLogsCarryPeerProfileAndReasonAndNoSecret() throws Exception {
        Map<String, String> environment = Map.of("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true",
                "QUARKUS_LOG_CATEGORY__IO_CIPHERGRAM__LEVEL", "DEBUG", "CIPHERGRAM_ADMIN_TOKEN", TOKEN,
                "CIPHERGRAM_UDP_PORT", "0", "CIPHERGRAM_UDP_HOST", "127.0.0.1", "QUARKUS_HTTP_PORT", "0",
                "QUARKUS_MANAGEMENT_PORT", "0", "CIPHERGRAM_IDENTITY_PATH", "target/it-logs/server_identity.pem",
                "CIPHERGRAM_DATA_DIR", "target/it-logs/data");
        try (ProcessPeer server = new ProcessPeer(List.of(JAVA, "-jar", SERVICE.toString()), environment)) {
            int udp = port(server.awaitLine(l -> l.contains("Ciphergram UDP listening on")),
                    "listening on 127\\.0\\.0\\.1:(\\d+)");
            int http = port(server.awaitLine(l -> l.contains("Listening on: http://")), "Listening on: http://[^:]+:(\\d+)");

            given().auth().oauth2(TOKEN + "-wrong").get("http://127.0.0.1:" + http + "/api/server").then().statusCode(401);
            given().auth().oauth2(TOKEN).get("http://127.0.0.1:" + http + "/api/server").then().statusCode(200);
            try (ClassicPeer alice = ClassicPeer.join(udp, "alice"); ClassicPeer mallory = ClassicPeer.join(udp, "mallory")) {
                alice.say(SECRET);
                mallory.awaitLine("alice: " + SECRET);
                alice.sendRaw(java.util.Base64.getEncoder().encode(new byte[48])); // under no key: undecryptable
                await().atMost(ClassicPeer.WAIT).until(() -> events(server, "undecryptable").size() == 1);
                given().auth().oauth2(TOKEN).delete("http://127.0.0.1:" + http + "/api/sessions/mallory").then().statusCode(204);
                mallory.awaitLine("* you were removed by the operator");
            }
            await().atMost(ClassicPeer.WAIT).until(() -> events(server, "ended").size() >= 2);

            JsonNode started = events(server, "started").stream()
                    .filter(e -> e.path("message").asText().contains("alice")).findFirst().orElseThrow();
            assertThat(started.path("loggerName").asText()).isEqualTo("io.ciphergram.relay.sessions");
            assertThat(started.path("mdc").path("profile").asText()).isEqualTo("classic");
            assertThat(started.path("mdc").path("transport").asText()).isEqualTo("udp");
            assertThat(started.path("mdc").path("peer").asText()).startsWith("udp/127.0.0.1:");
            JsonNode dropped = events(server, "undecryptable").get(0);
            assertThat(dropped.path("loggerName").asText()).isEqualTo("io.ciphergram.relay.drops");
            assertThat(dropped.path("mdc").path("peer").asText()).isEqualTo(started.path("mdc").path("peer").asText());

            List<String> lines = server.stdout();
            assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(json.readTree(l).isObject()).as(l).isTrue());
            assertThat(lines).as("warnings").noneMatch(l -> l.contains("\"level\":\"WARN\""));
            List<JsonNode> records = new ArrayList<>();
            for (String line : lines) {
                records.add(json.readTree(line));
            }
            for (JsonNode documented : DocumentedExamples.of(DocumentedExamples.OPERATIONS).jsonBlocks()) {
                assertThat(records).as("a log record like the documented %s", documented)
                        .anyMatch(r -> DocumentedExamples.differences(documented, r).isEmpty());
            }
            assertThat(lines).noneMatch(l -> l.contains(TOKEN)).noneMatch(l -> l.contains(SECRET));
            assertThat(server.stderr()).noneMatch(l -> l.contains(TOKEN) || l.contains(SECRET));
        }
    }

    /** Log records whose {@code mdc.reason} is {@code reason}. */
    private List<JsonNode> events(ProcessPeer server, String reason) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : server.stdout()) {
            JsonNode record = json.readTree(line);
            if (reason.equals(record.path("mdc").path("reason").asText())) {
                events.add(record);
            }
        }
        return events;
    }

    private static int port(String line, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
