package dev.dynamo.agent.internal.webconfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A value read by {@link YamlSubset}: a scalar, a sequence or a mapping, with the line it starts on. */
abstract class YamlNode {
    final int line;

    YamlNode(int line) {
        this.line = line;
    }

    /** What this is, for messages: "a mapping", "a list", "a value". */
    abstract String kind();

    /** A plain or quoted value; {@code text} is null for a plain {@code null}, {@code ~} or an empty value. */
    static final class Scalar extends YamlNode {
        final String text;
        final boolean quoted;

        Scalar(int line, String text, boolean quoted) {
            super(line);
            this.text = text;
            this.quoted = quoted;
        }

        @Override
        String kind() {
            return "a single value";
        }
    }

    /** A block list ({@code - a}) or a flow list ({@code [a, b]}). */
    static final class Sequence extends YamlNode {
        final List<Scalar> items;

        Sequence(int line, List<Scalar> items) {
            super(line);
            this.items = Collections.unmodifiableList(items);
        }

        @Override
        String kind() {
            return "a list";
        }
    }

    /** {@code key: value} lines in the order written; keys are unique. */
    static final class Mapping extends YamlNode {
        final Map<String, Entry> entries;

        Mapping(int line, LinkedHashMap<String, Entry> entries) {
            super(line);
            this.entries = Collections.unmodifiableMap(entries);
        }

        @Override
        String kind() {
            return "a mapping";
        }
    }

    /** One {@code key: value} of a mapping. */
    static final class Entry {
        final String key;
        final int line;
        final YamlNode value;

        Entry(String key, int line, YamlNode value) {
            this.key = key;
            this.line = line;
            this.value = value;
        }
    }
}
