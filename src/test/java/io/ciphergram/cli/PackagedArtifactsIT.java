package io.ciphergram.cli;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

import io.ciphergram.testing.ClassicPeer;
import io.ciphergram.testing.ProcessPeer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The two artifacts of `./mvnw package`, as a user runs them: the service from
 * target/quarkus-app/quarkus-run.jar and the console client from target/ciphergram-cli.jar.
 */
@QuarkusIntegrationTest
class PackagedArtifactsIT {

    private static final Path CLI = Path.of(System.getProperty("ciphergram.cli-jar", "target/ciphergram-cli.jar"));

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    private int udpPort() {
        return given().get(ready).then().statusCode(200)
                .extract().jsonPath().getInt("checks.find { it.name == 'udp' }.data.port");
    }

    @Test
    void theCliJarPipesMessagesToOthersAndExitsZero() throws Exception {
        int port = udpPort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (ClassicPeer bob = ClassicPeer.join(port, "itbob");
                ProcessPeer cli = new ProcessPeer(List.of(java, "-jar", CLI.toString(), "client",
                        "--server", "127.0.0.1:" + port, "--name", "italice", "--known-servers", "target/it-known-servers"))) {
            bob.awaitLine("* italice joined");
            cli.say("hello from the jar");
            bob.awaitLine("italice: hello from the jar");
            bob.say("hello back");
            cli.awaitLine("itbob: hello back");
            cli.endInput();
            assertThat(cli.awaitExit()).isZero();
            bob.awaitLine("* italice left");
        }
    }

    @Test
    void theCliJarHoldsOnlyTheProtocolCryptoAndCliPackages() throws Exception {
        assertThat(Files.exists(CLI)).as("%s was built", CLI).isTrue();
        try (JarFile jar = new JarFile(CLI.toFile())) {
            List<String> ours = Collections.list(jar.entries()).stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("io/ciphergram/") && n.endsWith(".class")).toList();
            assertThat(ours).isNotEmpty()
                    .allMatch(n -> n.startsWith("io/ciphergram/protocol/") || n.startsWith("io/ciphergram/crypto/")
                            || n.startsWith("io/ciphergram/cli/"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.ciphergram.cli.CiphergramCli");
            assertThat(Collections.list(jar.entries()).stream().map(e -> e.getName()))
                    .noneMatch(n -> n.startsWith("io/quarkus/") || n.startsWith("io/vertx/"));
        }
    }
}
