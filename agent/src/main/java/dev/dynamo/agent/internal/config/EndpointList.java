package dev.dynamo.agent.internal.config;

import dev.dynamo.runtime.metrics.PrometheusNames;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads Dynamo's {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS}: a JSON array of endpoint names,
 * such as {@code ["generate"]}. Each name becomes the label value the endpoint is known by.
 */
final class EndpointList {
    private static final String ACCEPTED = "use a JSON list of endpoint names such as [\"generate\"]";

    private final String text;
    private int position;

    private EndpointList(String text) {
        this.text = text;
    }

    /** The names in {@code raw}, or an empty list (and one problem) when it cannot be read. */
    static List<String> parse(String variable, String raw, List<String> problems) {
        if (raw == null) {
            return Collections.emptyList();
        }
        try {
            List<String> names = new EndpointList(raw).array();
            List<String> labelValues = new ArrayList<String>(names.size());
            for (String name : names) {
                try {
                    labelValues.add(PrometheusNames.sanitizeLabelName(name));
                } catch (IllegalArgumentException unusable) {
                    throw new IllegalArgumentException("\"" + name + "\" cannot name an endpoint ("
                            + unusable.getMessage() + ")");
                }
            }
            return Collections.unmodifiableList(labelValues);
        } catch (IllegalArgumentException malformed) {
            problems.add(variable + "='" + raw + "' cannot be read: " + malformed.getMessage() + "; " + ACCEPTED
                    + ". /health does not wait for endpoints");
            return Collections.emptyList();
        }
    }

    private List<String> array() {
        skipSpace();
        expect('[');
        List<String> names = new ArrayList<String>();
        skipSpace();
        if (peek() == ']') {
            position++;
        } else {
            while (true) {
                skipSpace();
                names.add(string());
                skipSpace();
                char next = next();
                if (next == ']') {
                    break;
                }
                if (next != ',') {
                    throw new IllegalArgumentException("expected ',' or ']' at position " + (position - 1));
                }
            }
        }
        skipSpace();
        if (position != text.length()) {
            throw new IllegalArgumentException("unexpected text after the list at position " + position);
        }
        return names;
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escaped = next();
            int decoded = JsonEscapes.decode(escaped);
            if (decoded >= 0) {
                out.append((char) decoded);
                continue;
            }
            switch (escaped) {
                case 'u':
                    if (position + 4 > text.length()) {
                        throw new IllegalArgumentException("incomplete \\u escape at position " + position);
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
                    } catch (NumberFormatException notHex) {
                        throw new IllegalArgumentException("bad \\u escape at position " + position);
                    }
                    position += 4;
                    break;
                default:
                    throw new IllegalArgumentException("unknown escape \\" + escaped + " at position " + position);
            }
        }
    }

    private void expect(char wanted) {
        int at = position;
        if (next() != wanted) {
            throw new IllegalArgumentException("expected '" + wanted + "' at position " + at
                    + (wanted == '"' ? " (each name is a JSON string in double quotes)" : ""));
        }
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private char next() {
        if (position >= text.length()) {
            throw new IllegalArgumentException("the list ends early");
        }
        return text.charAt(position++);
    }

    private void skipSpace() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }
}
