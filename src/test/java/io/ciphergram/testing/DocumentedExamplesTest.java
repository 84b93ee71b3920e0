package io.ciphergram.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The doc-example comparison itself: what it lets through and what it catches. */
class DocumentedExamplesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DocumentedExamples doc(String... lines) throws Exception {
        Path md = dir.resolve("doc.md");
        Files.write(md, List.of(lines));
        return DocumentedExamples.of(md);
    }

    private static List<String> differences(JsonNode documented, String real) throws Exception {
        return DocumentedExamples.differences(documented, JSON.readTree(real));
    }

    @Test
    void examplesUnderCommandsWithLabelsAndTrailingOnesAreRead() throws Exception {
        DocumentedExamples doc = doc("text", "```sh", "curl -s x/ready", "# alone:", "# {\"status\":\"UP\",",
                "#  \"checks\":[…]}", "# in a cluster:", "# {\"mode\":\"redis\", …}", "",
                "api -X POST x/b -H 'A: b' \\", "    -d '{\"text\":\"hi\"}'   # {\"recipients\":3}", "```",
                "```json", "{\"level\":\"INFO\",", " \"mdc\":{\"a\":\"b\"}, ...}", "```");
        assertThat(doc.all()).hasSize(4);
        assertThat(doc.example("curl -s x/ready", "alone").get("status").asText()).isEqualTo("UP");
        assertThat(doc.example("curl -s x/ready", "cluster").get("mode").asText()).isEqualTo("redis");
        assertThat(doc.example("api -X POST x/b", "").get("recipients").asInt()).isEqualTo(3);
        assertThat(doc.jsonBlocks()).singleElement().satisfies(j -> assertThat(j.get("level").asText()).isEqualTo("INFO"));
    }

    @Test
    void namesAndStatesMustBeTheRealOnesIllustrationsNeedOnlyTheirType() throws Exception {
        JsonNode documented = doc("```sh", "c", "# {\"mode\":\"single\",\"port\":12345,\"at\":\"2026-11-26T09:12:03Z\"}",
                "```").example("c", "");
        assertThat(differences(documented, "{\"mode\":\"single\",\"port\":4000,\"at\":\"2030-01-01T00:00:00Z\"}")).isEmpty();
        assertThat(differences(documented, "{\"mode\":\"redis\",\"port\":4000,\"at\":\"x1\"}")).singleElement()
                .asString().contains("$.mode");
        assertThat(differences(documented, "{\"mode\":\"single\",\"port\":\"4000\",\"at\":\"x1\"}")).singleElement()
                .asString().contains("$.port");
        assertThat(differences(documented, "{\"mode\":\"single\",\"at\":\"x1\"}")).singleElement().asString()
                .contains("not in the output");
        assertThat(differences(documented, "{\"mode\":\"single\",\"port\":1,\"at\":\"x1\",\"name\":null}"))
                .as("an undocumented key").singleElement().asString().contains("$.name");
    }

    @Test
    void anEllipsisAllowsMoreAndArraysMatchInAnyOrder() throws Exception {
        JsonNode documented = doc("```sh", "c", "# {\"checks\":[{\"name\":\"udp\"},{\"name\":\"ws\"}],\"limits\":{\"a\":1,…},",
                "#  \"list\":[{\"name\":\"alice\"}, …]}", "```").example("c", "");
        assertThat(differences(documented, "{\"checks\":[{\"name\":\"ws\"},{\"name\":\"udp\"}],\"limits\":{\"a\":2,\"b\":3},"
                + "\"list\":[{\"name\":\"bob\"},{\"name\":\"alice\"}]}")).isEmpty();
        assertThat(differences(documented, "{\"checks\":[{\"name\":\"ws\"},{\"name\":\"udp\"},{\"name\":\"cluster\"}],"
                + "\"limits\":{\"a\":2},\"list\":[{\"name\":\"alice\"}]}")).as("an undocumented check").singleElement()
                .asString().contains("$.checks");
        assertThat(differences(documented, "{\"checks\":[{\"name\":\"ws\"},{\"name\":\"udp\"}],\"limits\":{\"a\":2},"
                + "\"list\":[{\"name\":\"bob\"}]}")).singleElement().asString().contains("alice");
    }
}
