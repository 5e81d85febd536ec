package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.config.JsonEscapes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads the part of YAML that web configuration files use: block mappings, block lists
 * ({@code - a}), one-line lists ({@code [a, b]}), plain, single- and double-quoted values, and
 * comments. Anything else (anchors, tags, multi-line values, flow mappings) is an error naming
 * the line, so a file is never half understood. The agent carries no YAML library, to stay small
 * and to add no dependency to the host application.
 */
final class YamlSubset {
    private final List<Line> lines;
    private int position;

    private YamlSubset(List<Line> lines) {
        this.lines = lines;
    }

    /** The top-level mapping of {@code text}; an empty document is an empty mapping. */
    static YamlNode.Mapping parse(String text) throws WebConfigException {
        YamlSubset parser = new YamlSubset(lines(text));
        if (parser.lines.isEmpty()) {
            return new YamlNode.Mapping(1, new LinkedHashMap<String, YamlNode.Entry>());
        }
        Line first = parser.lines.get(0);
        if (first.indent != 0) {
            throw WebConfigException.atLine(first.number, "the first key must not be indented");
        }
        if (isListItem(first.content)) {
            throw WebConfigException.atLine(first.number, "the file must be a mapping of keys such as"
                    + " tls_server_config, not a list");
        }
        YamlNode.Mapping top = parser.mapping(0);
        if (parser.position < parser.lines.size()) {
            throw WebConfigException.atLine(parser.lines.get(parser.position).number, "unexpected indentation");
        }
        return top;
    }

    private static List<Line> lines(String text) throws WebConfigException {
        List<Line> result = new ArrayList<Line>();
        String[] raw = text.split("\r\n|\r|\n", -1);
        boolean started = false;
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i];
            int number = i + 1;
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            int indent = 0;
            while (indent < line.length() && line.charAt(indent) == ' ') {
                indent++;
            }
            String content = line.substring(indent).trim();
            if (content.isEmpty() || content.startsWith("#")) {
                continue;
            }
            if (indent < line.length() && line.charAt(indent) == '\t') {
                throw WebConfigException.atLine(number, "a tab indents this line; indent with spaces");
            }
            if (content.startsWith("%")) {
                throw WebConfigException.atLine(number, "YAML directives ('%') are not supported");
            }
            if (content.equals("---") || content.startsWith("--- ")) {
                if (started || !stripComment(content.substring(3)).isEmpty()) {
                    throw WebConfigException.atLine(number, "the file must hold one YAML document; remove '---'");
                }
                continue;
            }
            if (content.equals("...")) {
                continue;
            }
            started = true;
            result.add(new Line(number, indent, content));
        }
        return result;
    }

    private static boolean isListItem(String content) {
        return content.equals("-") || content.startsWith("- ");
    }

    private YamlNode block(int indent) throws WebConfigException {
        return isListItem(lines.get(position).content) ? list(indent) : mapping(indent);
    }

    private YamlNode.Mapping mapping(int indent) throws WebConfigException {
        int startLine = lines.get(position).number;
        LinkedHashMap<String, YamlNode.Entry> entries = new LinkedHashMap<String, YamlNode.Entry>();
        while (position < lines.size()) {
            Line line = lines.get(position);
            if (line.indent < indent) {
                break;
            }
            if (line.indent > indent) {
                throw WebConfigException.atLine(line.number, "unexpected indentation");
            }
            if (isListItem(line.content)) {
                throw WebConfigException.atLine(line.number, "a list item where 'key: value' was expected");
            }
            int colon = keyEnd(line);
            String key = key(line, colon);
            String rest = stripComment(line.content.substring(colon + 1));
            position++;
            YamlNode value;
            if (!rest.isEmpty()) {
                value = inlineValue(rest, line.number);
                if (position < lines.size() && lines.get(position).indent > indent) {
                    throw WebConfigException.atLine(lines.get(position).number, "unexpected indentation: values"
                            + " that span lines are not supported; write '" + key + "' on one line");
                }
            } else if (position < lines.size() && lines.get(position).indent > indent) {
                value = block(lines.get(position).indent);
            } else if (position < lines.size() && lines.get(position).indent == indent
                    && isListItem(lines.get(position).content)) {
                value = list(indent);
            } else {
                value = new YamlNode.Scalar(line.number, null, false);
            }
            if (entries.containsKey(key)) {
                throw WebConfigException.atLine(line.number, "'" + key + "' is set twice in this mapping (first on"
                        + " line " + entries.get(key).line + ")");
            }
            entries.put(key, new YamlNode.Entry(key, line.number, value));
        }
        return new YamlNode.Mapping(startLine, entries);
    }

    private YamlNode.Sequence list(int indent) throws WebConfigException {
        int startLine = lines.get(position).number;
        List<YamlNode.Scalar> items = new ArrayList<YamlNode.Scalar>();
        while (position < lines.size()) {
            Line line = lines.get(position);
            if (line.indent != indent || !isListItem(line.content)) {
                if (line.indent > indent) {
                    throw WebConfigException.atLine(line.number, "unexpected indentation in a list");
                }
                break;
            }
            String item = stripComment(line.content.substring(1));
            if (item.isEmpty()) {
                throw WebConfigException.atLine(line.number, "empty list item; write the value after '- '");
            }
            YamlNode value = inlineValue(item, line.number);
            if (!(value instanceof YamlNode.Scalar) || (!((YamlNode.Scalar) value).quoted
                    && plainKeyEnd(item) >= 0)) {
                throw WebConfigException.atLine(line.number, "list items must be single values here");
            }
            items.add((YamlNode.Scalar) value);
            position++;
        }
        return new YamlNode.Sequence(startLine, items);
    }

    /** The index of the ':' that ends the key of {@code line}. */
    private static int keyEnd(Line line) throws WebConfigException {
        String content = line.content;
        char first = content.charAt(0);
        if (first == '"' || first == '\'') {
            int close = closingQuote(content, 0, line.number);
            if (close + 1 < content.length() && content.charAt(close + 1) == ':'
                    && (close + 2 == content.length() || content.charAt(close + 2) == ' ')) {
                return close + 1;
            }
            throw WebConfigException.atLine(line.number, "expected ':' after the quoted key");
        }
        int colon = plainKeyEnd(content);
        if (colon < 0) {
            throw WebConfigException.atLine(line.number, "expected 'key: value', found '" + content + "'");
        }
        return colon;
    }

    private static int plainKeyEnd(String content) {
        for (int i = 0; i < content.length(); i++) {
            if (content.charAt(i) == ':' && (i + 1 == content.length() || content.charAt(i + 1) == ' ')) {
                return i;
            }
            if (content.charAt(i) == ' ' && i + 1 < content.length() && content.charAt(i + 1) == '#') {
                return -1;
            }
        }
        return -1;
    }

    private static String key(Line line, int colon) throws WebConfigException {
        String raw = line.content.substring(0, colon).trim();
        YamlNode.Scalar key = scalar(raw, line.number);
        if (key.text == null || key.text.isEmpty()) {
            throw WebConfigException.atLine(line.number, "empty key");
        }
        return key.text;
    }

    private static YamlNode inlineValue(String text, int line) throws WebConfigException {
        char first = text.charAt(0);
        if (first == '[') {
            return flowList(text, line);
        }
        if (first == '{') {
            if (text.replace(" ", "").equals("{}")) {
                return new YamlNode.Mapping(line, new LinkedHashMap<String, YamlNode.Entry>());
            }
            throw WebConfigException.atLine(line, "'{...}' mappings are not supported; write one 'key: value' per"
                    + " line, indented below the key");
        }
        return scalar(text, line);
    }

    private static YamlNode.Sequence flowList(String text, int line) throws WebConfigException {
        List<YamlNode.Scalar> items = new ArrayList<YamlNode.Scalar>();
        int i = 1;
        StringBuilder item = new StringBuilder();
        boolean closed = false;
        while (i < text.length()) {
            char c = text.charAt(i);
            if ((c == '"' || c == '\'') && item.toString().trim().isEmpty()) {
                int close = closingQuote(text, i, line);
                item.append(text, i, close + 1);
                i = close + 1;
                continue;
            }
            if (c == '[' || c == '{') {
                throw WebConfigException.atLine(line, "nested lists and mappings are not supported in '[...]'");
            }
            if (c == ',' || c == ']') {
                String value = item.toString().trim();
                if (value.isEmpty()) {
                    if (c == ',' || !items.isEmpty()) {
                        throw WebConfigException.atLine(line, "empty item in '[...]'");
                    }
                } else {
                    items.add(scalar(value, line));
                }
                item.setLength(0);
                if (c == ']') {
                    closed = true;
                    i++;
                    break;
                }
            } else {
                item.append(c);
            }
            i++;
        }
        if (!closed) {
            throw WebConfigException.atLine(line, "'[' without a closing ']' on the same line");
        }
        if (!stripComment(text.substring(i)).isEmpty()) {
            throw WebConfigException.atLine(line, "unexpected text after ']'");
        }
        return new YamlNode.Sequence(line, items);
    }

    /** A plain or quoted value; {@code text} has no comment unless it is quoted. */
    private static YamlNode.Scalar scalar(String text, int line) throws WebConfigException {
        char first = text.charAt(0);
        if (first == '"' || first == '\'') {
            int close = closingQuote(text, 0, line);
            if (!stripComment(text.substring(close + 1)).isEmpty()) {
                throw WebConfigException.atLine(line, "unexpected text after the closing quote");
            }
            String body = text.substring(1, close);
            return new YamlNode.Scalar(line, first == '"' ? unescape(body, line) : body.replace("''", "'"), true);
        }
        String plain = stripComment(text);
        if ("|>".indexOf(first) >= 0) {
            throw WebConfigException.atLine(line, "multi-line values ('|', '>') are not supported; write the value"
                    + " on one line, quoted if needed");
        }
        if ("&*!".indexOf(first) >= 0) {
            throw WebConfigException.atLine(line, "anchors, aliases and tags ('&', '*', '!') are not supported");
        }
        if ("@`".indexOf(first) >= 0) {
            throw WebConfigException.atLine(line, "a value cannot start with '" + first + "'; quote it");
        }
        if (plainKeyEnd(plain) >= 0) {
            throw WebConfigException.atLine(line, "': ' inside a value; quote the value, or indent a nested mapping"
                    + " on the next lines");
        }
        if (plain.equals("~") || plain.equals("null") || plain.equals("Null") || plain.equals("NULL")) {
            return new YamlNode.Scalar(line, null, false);
        }
        return new YamlNode.Scalar(line, plain, false);
    }

    /** The index of the quote that closes the one at {@code open}. */
    private static int closingQuote(String text, int open, int line) throws WebConfigException {
        char quote = text.charAt(open);
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == '"' && c == '\\') {
                i++;
            } else if (c == quote) {
                if (quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                    i++;
                } else {
                    return i;
                }
            }
        }
        throw WebConfigException.atLine(line, "a " + (quote == '"' ? "double" : "single")
                + "-quoted value without its closing quote on the same line");
    }

    private static String unescape(String body, int line) throws WebConfigException {
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escape = body.charAt(++i);
            int decoded = JsonEscapes.decode(escape);
            if (decoded >= 0) {
                out.append((char) decoded);
                continue;
            }
            switch (escape) {
                case ' ':
                    out.append(escape);
                    break;
                case '0':
                    out.append('\0');
                    break;
                case 'x':
                    i = hex(body, i, 2, out, line);
                    break;
                case 'u':
                    i = hex(body, i, 4, out, line);
                    break;
                case 'U':
                    i = hex(body, i, 8, out, line);
                    break;
                default:
                    throw WebConfigException.atLine(line, "unknown escape '\\" + escape + "' in a double-quoted value;"
                            + " use \\\\, \\\", \\n, \\t, \\r, \\xNN or \\uNNNN");
            }
        }
        return out.toString();
    }

    private static int hex(String body, int at, int digits, StringBuilder out, int line) throws WebConfigException {
        if (at + digits >= body.length()) {
            throw WebConfigException.atLine(line, "'\\" + body.charAt(at) + "' needs " + digits + " hex digits");
        }
        try {
            out.appendCodePoint(Integer.parseInt(body.substring(at + 1, at + 1 + digits), 16));
        } catch (IllegalArgumentException notHex) {
            throw WebConfigException.atLine(line, "'\\" + body.charAt(at) + "' needs " + digits + " hex digits");
        }
        return at + digits;
    }

    /** {@code text} without a trailing {@code # comment} (a '#' at the start or after a space), trimmed. */
    private static String stripComment(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '#' && (i == 0 || text.charAt(i - 1) == ' ')) {
                return text.substring(0, i).trim();
            }
        }
        return text.trim();
    }

    private static final class Line {
        final int number;
        final int indent;
        final String content;

        Line(int number, int indent, String content) {
            this.number = number;
            this.indent = indent;
            this.content = content;
        }
    }
}
