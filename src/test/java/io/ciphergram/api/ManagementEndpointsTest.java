package io.ciphergram.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.net.URL;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.V2Peer;
import io.ciphergram.transport.udp.UdpTransport;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Health and the ciphergram_ metrics on the management interface, moved by real traffic. */
@QuarkusTest
class ManagementEndpointsTest {

    @Inject
    UdpTransport udp;

    @TempDir
    Path home;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metricsUrl;

    @TestHTTPResource(value = "/health/live", management = true)
    URL liveUrl;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readyUrl;

    @Test
    void livenessWatchesTheRelayThreadAndReadinessEachTransportAndTheCluster() {
        given().get(liveUrl).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("relay (udp, ws)"));
        given().get(readyUrl).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("udp", "ws", "cluster"))
                .body("checks.find { it.name == 'udp' }.data.port", equalTo(udp.port()))
                .body("checks.find { it.name == 'ws' }.data.path", equalTo("/ws"))
                .body("checks.find { it.name == 'cluster' }.data.mode", equalTo("single instance"));
    }

    @Test
    void trafficMovesTheSessionHandshakeByteAndLatencyMeters() throws Exception {
        double classicHandshakes = metric("ciphergram_handshakes_completed_total{profile=\"classic\"}");
        double guestHandshakes = metric("ciphergram_handshakes_completed_total{profile=\"classic-guest\"}");
        double v2Handshakes = metric("ciphergram_handshakes_completed_total{profile=\"v2\"}");
        double bytesIn = metric("ciphergram_received_bytes_total");
        double bytesOut = metric("ciphergram_sent_bytes_total");
        double lines = metric("ciphergram_relay_latency_seconds_count");
        double classicNow = metric("ciphergram_sessions{profile=\"classic\",transport=\"udp\"}");
        try (ClassicPeer alice = ClassicPeer.join(udp.port(), "m1alice");
                ClassicPeer guest = ClassicPeer.joinWithoutHandshake(udp.port());
                V2Peer vera = V2Peer.join(udp.port(), "m1vera", home.resolve("known"))) {
            alice.awaitLine("* m1vera joined");
            assertThat(metric("ciphergram_sessions{profile=\"classic\",transport=\"udp\"}")).isEqualTo(classicNow + 1);
            assertThat(metric("ciphergram_sessions{profile=\"classic-guest\",transport=\"udp\"}")).isGreaterThanOrEqualTo(1);
            assertThat(metric("ciphergram_sessions{profile=\"v2\",transport=\"udp\"}")).isGreaterThanOrEqualTo(1);
            assertThat(metric("ciphergram_handshakes_completed_total{profile=\"classic\"}")).isEqualTo(classicHandshakes + 1);
            assertThat(metric("ciphergram_handshakes_completed_total{profile=\"classic-guest\"}"))
                    .isEqualTo(guestHandshakes + 1);
            assertThat(metric("ciphergram_handshakes_completed_total{profile=\"v2\"}")).isEqualTo(v2Handshakes + 1);

            alice.say("metered");
            vera.awaitLine("m1alice: metered");
            await().atMost(ClassicPeer.WAIT).until(() -> metric("ciphergram_relay_latency_seconds_count") > lines);
            assertThat(metric("ciphergram_received_bytes_total")).isGreaterThan(bytesIn);
            assertThat(metric("ciphergram_sent_bytes_total")).isGreaterThan(bytesOut);
        }
        await().atMost(ClassicPeer.WAIT).until(() -> metric("ciphergram_sessions{profile=\"classic\",transport=\"udp\"}")
                == classicNow);
        String all = given().get(metricsUrl).then().statusCode(200).extract().asString();
        assertThat(all).contains("ciphergram_relay_latency_seconds_bucket{le=")
                .contains("ciphergram_sessions{profile=\"v2\",transport=\"ws\"}")
                .contains("ciphergram_handshakes_failed_total{profile=\"classic\"}")
                .contains("ciphergram_handshakes_failed_total{profile=\"v2\"}")
                .contains("ciphergram_handshakes_pending ");
    }

    private double metric(String series) {
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.E+-]+)$", Pattern.MULTILINE).matcher(metrics);
        assertThat(m.find()).as("series %s in%n%s", series, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
