package io.ciphergram.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The browser page built by Quinoa from src/main/webui is served at the root: the page, its style sheet and
 * every module it loads, byte for byte as they are in the source (the build copies them), each with the
 * type a browser needs to use it, and nothing else in their place.
 */
@QuarkusTest
class WebPageTest {

    private static final Path WEBUI = Path.of("src/main/webui");
    private static final Pattern SCRIPT = Pattern.compile("<script type=\"module\" src=\"([^\"]+)\"");
    private static final Pattern STYLESHEET = Pattern.compile("<link rel=\"stylesheet\" href=\"([^\"]+)\"");
    /** Static and dynamic imports of a relative module: {@code from './x.js'}, {@code import('./x.js')}. */
    private static final Pattern IMPORT = Pattern.compile("(?:from|import\\()\\s*'(\\.{1,2}/[^']+)'");

    @Test
    void thePageAndEveryModuleItLoadsAreServedAsInTheSource() throws IOException {
        String html = served("/", "text/html", WEBUI.resolve("public/index.html"));
        assertThat(html).contains("<title>Ciphergram</title>").contains("Content-Security-Policy")
                .contains("default-src 'none'; script-src 'self'");

        Matcher stylesheet = STYLESHEET.matcher(html);
        assertThat(stylesheet.find()).as("a style sheet").isTrue();
        served("/" + stylesheet.group(1), "text/css", WEBUI.resolve("public").resolve(stylesheet.group(1)));

        Matcher script = SCRIPT.matcher(html);
        assertThat(script.find()).as("a module script").isTrue();
        Set<String> loaded = new LinkedHashSet<>();
        Deque<URI> pending = new ArrayDeque<>();
        pending.add(URI.create("/" + script.group(1)));
        while (!pending.isEmpty()) {
            URI module = pending.remove();
            if (!loaded.add(module.getPath())) {
                continue;
            }
            String source = served(module.getPath(), "javascript", WEBUI.resolve(module.getPath().substring(1)));
            Matcher imports = IMPORT.matcher(source);
            while (imports.find()) {
                pending.add(module.resolve(imports.group(1)));
            }
        }
        assertThat(loaded).as("modules the page loads").contains("/src/page/main.js", "/src/protocol/client.js",
                "/src/protocol/channel.js", "/src/page/message-list.js").hasSizeGreaterThan(20);
    }

    @Test
    void aPathThatIsNotPartOfThePageIsNotFound() {
        // no single-page routing: a mistyped module must fail loudly, not load index.html as JavaScript
        given().get("/src/page/missing.js").then().statusCode(404);
        given().get("/test/controller.test.js").then().statusCode(404);
        given().get("/package.json").then().statusCode(404);
    }

    /** GETs {@code path}, checks its status and type, and that it is {@code source} exactly; returns the body. */
    private static String served(String path, String type, Path source) throws IOException {
        Response response = given().get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(response.contentType()).as("type of " + path).contains(type);
        String body = new String(response.asByteArray(), StandardCharsets.UTF_8);
        assertThat(body).as(path + " as in " + source).isEqualTo(Files.readString(source, StandardCharsets.UTF_8));
        return body;
    }
}
