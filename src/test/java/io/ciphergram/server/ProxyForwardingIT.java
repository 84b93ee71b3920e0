package io.ciphergram.server;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.RawV2Peer;
import io.ciphergram.testing.RawWebSocket;
import io.ciphergram.testing.ServiceProcess;

/**
 * Behind a reverse proxy the service takes the client's address from the proxy's headers, so only the
 * proxies it is told to trust may set them: with forwarding on and no trusted proxies it does not start; with
 * them, a client that connects directly and claims another address is taken for what it is.
 */
class ProxyForwardingIT {

    private static final String TOKEN = "it-proxy-token-5e21";
    private static final Path WORK = Path.of("target/it-proxy");

    private static Map<String, String> forwarding(String trusted) throws Exception {
        Files.createDirectories(WORK);
        Map<String, String> properties = new java.util.HashMap<>(Map.of("quarkus.http.proxy.proxy-address-forwarding", "true",
                "quarkus.http.proxy.allow-x-forwarded", "true",
                "ciphergram.identity.path", WORK.resolve("server_identity.pem").toString()));
        if (trusted != null) {
            properties.put("quarkus.http.proxy.trusted-proxies", trusted);
        }
        return properties;
    }

    @Test
    void forwardingWithoutTrustedProxiesRefusesToStartAndSaysWhy() throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(List.of(), List.of(), forwarding(null), Map.of())) {
            assertThat(service.process().waitFor(60, TimeUnit.SECONDS)).as("the service exits").isTrue();
            assertThat(service.process().exitValue()).isNotZero();
            assertThat(String.join("\n", service.log())).contains("quarkus.http.proxy.trusted-proxies")
                    .contains("X-Forwarded-For").doesNotContain("Listening on");
        }
    }

    @Test
    void onlyATrustedProxyChoosesTheClientsAddress() throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(List.of(), List.of(), forwarding("127.0.0.2"),
                Map.of("CIPHERGRAM_ADMIN_TOKEN", TOKEN)).awaitStarted();
                RawV2Peer direct = RawV2Peer.join(RawWebSocket.open(service.httpPort(), new RawWebSocket.Options()
                        .header("X-Forwarded-For", "203.0.113.77")), "direct");
                RawV2Peer proxied = RawV2Peer.join(RawWebSocket.open(service.httpPort(), new RawWebSocket.Options()
                        .from("127.0.0.2").header("X-Forwarded-For", "203.0.113.78")), "proxied")) {
            List<Map<String, Object>> sessions = given().auth().oauth2(TOKEN).get(service.httpUrl("/api/sessions"))
                    .then().statusCode(200).extract().jsonPath().getList("sessions");
            Map<String, String> addresses = new java.util.HashMap<>();
            sessions.forEach(s -> addresses.put((String) s.get("name"), (String) s.get("remoteAddress")));
            assertThat(addresses.get("direct")).as("a direct client's claim is ignored").startsWith("127.0.0.1:");
            assertThat(addresses.get("proxied")).as("the trusted proxy's word is taken").startsWith("203.0.113.78:");
        }
    }
}
