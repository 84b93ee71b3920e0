package io.ciphergram.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Without a configured token the admin API does not exist: 404 for every /api path, whatever is presented. */
@QuarkusTest
@TestProfile(AdminApiOffTest.NoToken.class)
class AdminApiOffTest {

    public static final class NoToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ciphergram.admin.token", "");
        }
    }

    @Test
    void everyApiPathIsNotFound() {
        for (String path : List.of("/api", "/api/sessions", "/api/server", "/api/sessions/x", "/api/unknown")) {
            for (String token : List.of("", "test-admin-token-5f0c2e", "anything")) {
                given().auth().oauth2(token).get(path).then().statusCode(404)
                        .contentType("application/problem+json").body("status", equalTo(404));
            }
        }
        given().contentType("application/json").body(Map.of("text", "hi")).post("/api/broadcast").then().statusCode(404);
        given().delete("/api/sessions/anyone").then().statusCode(404);
        // The rest of the service is unaffected.
        given().get("/").then().statusCode(200);
    }
}
