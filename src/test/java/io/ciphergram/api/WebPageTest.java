package io.ciphergram.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import java.net.URL;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The browser page built by Quinoa from src/main/webui is served at the root. */
@QuarkusTest
class WebPageTest {

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void theBundledPageIsServedAtTheRoot() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("<title>Ciphergram</title>"))
                .body(containsString("data-testid=\"join-button\"")).body(containsString("data-testid=\"message-list\""));
        given().get("/src/protocol/client.js").then().statusCode(200).body(containsString("export"));
    }

    @Test
    void readinessReportsTheBoundUdpPort() {
        given().get(ready).then().statusCode(200)
                .body(containsString("\"udp\"")).body(containsString("\"port\""));
    }
}
