package io.ciphergram.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON examples of a Markdown document, and how a real answer differs from one, so that a test can hold
 * the documentation to the service's output. An example is either the {@code # {...}} comment lines under a
 * command in an {@code sh} block (optionally after a {@code # label:} line), a trailing {@code # {...}}
 * comment on a command, or an object of a {@code json} block.
 *
 * <p>An example shows the shape of the answer: every key it names must be there with a value of the same
 * JSON type, and a string without digits (a state, a name, a path: {@code "UP"}, {@code "/ws"}) must be
 * exactly the real one; strings with digits (addresses, times, versions) and numbers are illustrations. An
 * object or an array with {@code …} (or {@code ...}) may have more than it shows; without, the real one may
 * have no key, or no element, that the example does not show. Elements of an array match in any order.
 */
public final class DocumentedExamples {

    public static final Path OPERATIONS = Path.of("docs/OPERATIONS.md");
    private static final String MORE = "…";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One example: the command it answers ({@code json} for a json block), its label (or "") and its JSON. */
    public record Example(String command, String label, JsonNode json) {
    }

    private final List<Example> examples;

    private DocumentedExamples(List<Example> examples) {
        this.examples = examples;
    }

    public static DocumentedExamples of(Path markdown) {
        try {
            return new DocumentedExamples(parse(Files.readAllLines(markdown, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Example> all() {
        return examples;
    }

    /** The one example under a command that starts with {@code command} and whose label contains {@code label}. */
    public JsonNode example(String command, String label) {
        List<Example> found = examples.stream()
                .filter(e -> e.command().startsWith(command) && e.label().contains(label)).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " examples for `" + command + "` labelled \"" + label + "\" in the doc");
        }
        return found.get(0).json();
    }

    /** The objects of the document's json blocks. */
    public List<JsonNode> jsonBlocks() {
        return examples.stream().filter(e -> e.command().equals("json")).map(Example::json).toList();
    }

    // ---- reading ---------------------------------------------------------------------------------------

    private static List<Example> parse(List<String> lines) {
        List<Example> found = new ArrayList<>();
        String block = null;
        String command = "";
        String label = "";
        boolean continued = false;
        StringBuilder json = null;
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("```")) {
                block = block == null ? trimmed.substring(3).strip() : null;
                continue;
            }
            if (block == null) {
                continue;
            }
            if (block.equals("json")) {
                json = json == null ? new StringBuilder() : json;
                json.append(trimmed).append('\n');
                if (balanced(json)) {
                    found.add(new Example("json", "", read(json.toString())));
                    json = null;
                }
                continue;
            }
            if (!block.equals("sh")) {
                continue;
            }
            if (trimmed.startsWith("#")) {
                String comment = trimmed.substring(1).strip();
                if (json != null) {
                    json.append(comment);
                } else if (comment.startsWith("{") || comment.startsWith("[")) {
                    json = new StringBuilder(comment);
                } else if (comment.endsWith(":")) {
                    label = comment.substring(0, comment.length() - 1);
                }
                if (json != null && balanced(json)) {
                    found.add(new Example(command, label, read(json.toString())));
                    json = null;
                }
                continue;
            }
            int hash = trimmed.indexOf(" # ");
            String code = hash < 0 ? trimmed : trimmed.substring(0, hash).strip();
            command = continued ? command + " " + code : code;
            label = continued ? label : "";
            continued = code.endsWith("\\");
            String trailing = hash < 0 ? "" : trimmed.substring(hash + 3).strip();
            if (trailing.startsWith("{")) {
                found.add(new Example(command, label, read(trailing)));
            }
        }
        return found;
    }

    /** Whether every bracket opened outside a string is closed. */
    private static boolean balanced(CharSequence text) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return depth == 0 && text.toString().strip().length() > 0;
    }

    /** Parses an example, an ellipsis outside strings becoming a {@code "…"} key (in an object) or element. */
    private static JsonNode read(String example) {
        StringBuilder out = new StringBuilder();
        Deque<Character> open = new ArrayDeque<>();
        boolean inString = false;
        for (int i = 0; i < example.length(); i++) {
            char c = example.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(example.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            boolean ellipsis = c == '…' || example.startsWith("...", i);
            if (ellipsis) {
                out.append(open.peek() != null && open.peek() == '{' ? "\"" + MORE + "\":true" : "\"" + MORE + "\"");
                i += c == '…' ? 0 : 2;
                continue;
            }
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                open.push(c);
            } else if (c == '}' || c == ']') {
                open.pop();
            }
            out.append(c);
        }
        try {
            return JSON.readTree(out.toString());
        } catch (IOException e) {
            throw new AssertionError("a documented example is not JSON: " + example, e);
        }
    }

    // ---- comparing -------------------------------------------------------------------------------------

    /** How {@code real} differs from {@code documented}; empty when the example is true of it. */
    public static List<String> differences(JsonNode documented, JsonNode real) {
        List<String> out = new ArrayList<>();
        compare("$", documented, real, out);
        return out;
    }

    private static void compare(String path, JsonNode doc, JsonNode real, List<String> out) {
        if (real == null || real.isMissingNode()) {
            out.add(path + ": documented, but not in the output");
        } else if (doc.isObject()) {
            compareObjects(path, doc, real, out);
        } else if (doc.isArray()) {
            compareArrays(path, doc, real, out);
        } else if (doc.getNodeType() != real.getNodeType() && !(doc.isNumber() && real.isNumber())) {
            out.add(path + ": documented " + doc + ", the output has " + real);
        } else if (doc.isTextual() && doc.asText().chars().noneMatch(Character::isDigit) && !doc.asText().contains(MORE)
                && !doc.asText().equals(real.asText())) {
            out.add(path + ": documented " + doc + ", the output says " + real);
        }
    }

    private static void compareObjects(String path, JsonNode doc, JsonNode real, List<String> out) {
        if (!real.isObject()) {
            out.add(path + ": documented an object, the output has " + real);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals(MORE)) {
                compare(path + "." + field.getKey(), field.getValue(), real.get(field.getKey()), out);
            }
        }
        if (!doc.has(MORE)) {
            real.fieldNames().forEachRemaining(name -> {
                if (!doc.has(name)) {
                    out.add(path + "." + name + ": in the output, not documented (nor an … in its place)");
                }
            });
        }
    }

    private static void compareArrays(String path, JsonNode doc, JsonNode real, List<String> out) {
        if (!real.isArray()) {
            out.add(path + ": documented an array, the output has " + real);
            return;
        }
        int shown = 0;
        boolean more = false;
        for (JsonNode element : doc) {
            if (element.isTextual() && element.asText().equals(MORE)) {
                more = true;
                continue;
            }
            shown++;
            boolean matched = false;
            for (JsonNode candidate : real) {
                if (differences(element, candidate).isEmpty()) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                out.add(path + ": no element of the output is like the documented " + element + " (the output: " + real + ")");
            }
        }
        if (!more && real.size() != shown) {
            out.add(path + ": documented " + shown + " elements, the output has " + real.size());
        }
    }
}
