package io.ciphergram.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void membersAndElementsAreSeparatedByCommasAndStringsEscaped() {
        String json = new JsonWriter().beginObject().field("a", 1).field("b", "x\"y\\z\n\u0001")
                .name("c").beginArray().value(1.5).value(true).nullValue().beginObject().endObject().endArray()
                .field("d", Double.NaN).endObject().toString();
        assertThat(json).isEqualTo("{\"a\":1,\"b\":\"x\\\"y\\\\z\\n\\u0001\",\"c\":[1.500,true,null,{}],\"d\":null}");
    }
}
