package io.ciphergram.cli.bench;

import java.util.ArrayDeque;
import java.util.Locale;

/**
 * Just enough JSON for the report: objects, arrays, strings, numbers, booleans, written in order with
 * commas placed for the caller. Non-finite numbers are written as null (JSON has no NaN).
 */
final class JsonWriter {

    private final StringBuilder out = new StringBuilder();
    /** Whether the container being written already has a member, per nesting level. */
    private final ArrayDeque<boolean[]> levels = new ArrayDeque<>();
    private boolean afterName;

    JsonWriter beginObject() {
        element();
        out.append('{');
        levels.push(new boolean[1]);
        return this;
    }

    JsonWriter endObject() {
        levels.pop();
        out.append('}');
        return this;
    }

    JsonWriter beginArray() {
        element();
        out.append('[');
        levels.push(new boolean[1]);
        return this;
    }

    JsonWriter endArray() {
        levels.pop();
        out.append(']');
        return this;
    }

    JsonWriter name(String name) {
        element();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String value) {
        element();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    JsonWriter value(long value) {
        element();
        out.append(value);
        return this;
    }

    JsonWriter value(double value) {
        element();
        if (Double.isFinite(value)) {
            out.append(String.format(Locale.ROOT, "%.3f", value));
        } else {
            out.append("null");
        }
        return this;
    }

    JsonWriter value(boolean value) {
        element();
        out.append(value);
        return this;
    }

    JsonWriter nullValue() {
        element();
        out.append("null");
        return this;
    }

    JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, double value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** Before anything written in a container: a comma unless it is the first, or it follows its name. */
    private void element() {
        if (afterName) {
            afterName = false;
            return;
        }
        boolean[] level = levels.peek();
        if (level != null) {
            if (level[0]) {
                out.append(',');
            }
            level[0] = true;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
