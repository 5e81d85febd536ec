package dev.dynamo.agent.internal.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The entries of a properties file ({@code DYN_CONFIG_FILE}) in the order they are written, each with
 * the number of the line it starts on. The file is read as UTF-8, and a byte order mark at its start is
 * skipped. {@link Properties} itself reads the entries, so keys, separators, continued lines and escapes
 * mean what they mean there; this class only finds the line each starts on.
 *
 * <pre>{@code
 * for (ConfigFile.Entry entry : ConfigFile.entries(bytes)) {
 *     ... entry.line() ... entry.key() ... entry.value() ...
 * }
 * }</pre>
 */
final class ConfigFile {
    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private ConfigFile() {
    }

    /**
     * The entries of {@code content}; comments and blank lines give none.
     *
     * @throws IllegalArgumentException for a malformed {@code \\uxxxx} escape, its message starting
     *         {@code line N: }
     */
    static List<Entry> entries(byte[] content) {
        List<Chunk> chunks = chunks(lines(content));
        StringBuilder text = new StringBuilder();
        for (Chunk chunk : chunks) {
            text.append(chunk.text).append('\n');
        }
        // One load for the whole file: each Properties.load allocates 16 KB of buffers, so a load per entry
        // would allocate hundreds of MB in premain for a file of 1 MiB.
        EntriesInOrder read = new EntriesInOrder();
        try {
            read.loadText(text.toString());
        } catch (IllegalArgumentException malformed) {
            // The entries read before it are those of the chunks before the one that holds it.
            Chunk at = chunks.get(Math.min(read.keysAndValues.size(), chunks.size() - 1));
            throw new IllegalArgumentException("line " + at.line + ": " + malformed.getMessage(), malformed);
        }
        if (read.keysAndValues.size() != chunks.size()) {
            // Never seen (ConfigFileTest tries thousands of random files): each chunk is one logical line. Should
            // Properties ever read them otherwise, a chunk at a time is slower but names every line right.
            return oneAtATime(chunks);
        }
        List<Entry> entries = new ArrayList<Entry>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            String[] keyAndValue = read.keysAndValues.get(i);
            entries.add(new Entry(chunks.get(i), keyAndValue[0], keyAndValue[1]));
        }
        return entries;
    }

    private static List<Entry> oneAtATime(List<Chunk> chunks) {
        List<Entry> entries = new ArrayList<Entry>(chunks.size());
        for (Chunk chunk : chunks) {
            EntriesInOrder read = new EntriesInOrder();
            try {
                read.loadText(chunk.text);
            } catch (IllegalArgumentException malformed) {
                throw new IllegalArgumentException("line " + chunk.line + ": " + malformed.getMessage(), malformed);
            }
            for (String[] keyAndValue : read.keysAndValues) {
                entries.add(new Entry(chunk, keyAndValue[0], keyAndValue[1]));
            }
        }
        return entries;
    }

    /**
     * The logical lines of {@code lines} that hold an entry, as {@code Properties} reads them: a line and,
     * after an odd number of trailing backslashes, the next (even one that looks like a comment).
     */
    static List<Chunk> chunks(List<Line> lines) {
        List<Chunk> chunks = new ArrayList<Chunk>();
        int next = 0;
        while (next < lines.size()) {
            Line line = lines.get(next++);
            if (startsNoEntry(line.text)) {
                continue;
            }
            int first = line.number;
            StringBuilder logical = new StringBuilder(line.text);
            Line notUtf8 = line.badByte < 0 ? null : line;
            while (endsInAnOddNumberOfBackslashes(line.text) && next < lines.size()) {
                line = lines.get(next++);
                logical.append('\n').append(line.text);
                notUtf8 = notUtf8 == null && line.badByte >= 0 ? line : notUtf8;
            }
            chunks.add(new Chunk(first, logical.toString(), notUtf8));
        }
        return chunks;
    }

    /** The lines of {@code content}, split as {@link Properties} splits them: at {@code \n}, {@code \r} or both. */
    static List<Line> lines(byte[] content) {
        List<Line> lines = new ArrayList<Line>();
        boolean bom = content.length >= 3 && content[0] == BYTE_ORDER_MARK[0] && content[1] == BYTE_ORDER_MARK[1]
                && content[2] == BYTE_ORDER_MARK[2];
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = bom ? BYTE_ORDER_MARK.length : 0;
        while (start <= content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n' && content[end] != '\r') {
                end++;
            }
            // 0x0A and 0x0D never occur inside a UTF-8 sequence, so a line is decoded on its own.
            lines.add(new Line(lines.size() + 1, content, start, end, firstBadByte(decoder, content, start, end)));
            if (end == content.length) {
                break;
            }
            start = end + (content[end] == '\r' && end + 1 < content.length && content[end + 1] == '\n' ? 2 : 1);
        }
        return lines;
    }

    /** The index in the line of the first byte of {@code content[start..end)} that is not UTF-8, or -1. */
    private static int firstBadByte(CharsetDecoder decoder, byte[] content, int start, int end) {
        int ascii = start;
        while (ascii < end && content[ascii] >= 0) {
            ascii++;
        }
        if (ascii == end) {
            return -1;
        }
        ByteBuffer in = ByteBuffer.wrap(content, start, end - start);
        CoderResult result = decoder.reset().decode(in, CharBuffer.allocate(end - start), true);
        return result.isError() ? in.position() - start : -1;
    }

    /**
     * Whether a line that would start an entry starts none: a blank line, a comment, or a lone backslash
     * (which continues nothing: {@code Properties} starts an entry afresh on the next line).
     */
    private static boolean startsNoEntry(String text) {
        int i = 0;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\f')) {
            i++;
        }
        return i == text.length() || text.charAt(i) == '#' || text.charAt(i) == '!'
                || (i == text.length() - 1 && text.charAt(i) == '\\');
    }

    private static boolean endsInAnOddNumberOfBackslashes(String text) {
        int backslashes = 0;
        for (int i = text.length() - 1; i >= 0 && text.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /** One physical line: its number, its text (a byte that is not UTF-8 read as U+FFFD) and that byte's index, or -1. */
    static final class Line {
        final int number;
        final String text;
        final int badByte;
        final String badByteText;

        Line(int number, byte[] content, int start, int end, int badByte) {
            this.number = number;
            this.text = new String(content, start, end - start, StandardCharsets.UTF_8);
            this.badByte = badByte;
            this.badByteText = badByte < 0 ? null
                    : String.format("byte 0x%02X (byte %d of the line)", content[start + badByte] & 0xFF, badByte + 1);
        }
    }

    /** The lines of one entry: the number of the first, their text, and the first with a byte that is not UTF-8. */
    static final class Chunk {
        final int line;
        final String text;
        final Line notUtf8;

        Chunk(int line, String text, Line notUtf8) {
            this.line = line;
            this.text = text;
            this.notUtf8 = notUtf8;
        }
    }

    /** A {@code Properties} that keeps what it reads as key-value pairs in their order, and nothing else. */
    static final class EntriesInOrder extends Properties {
        private static final long serialVersionUID = 1L;
        final transient List<String[]> keysAndValues = new ArrayList<String[]>();

        void loadText(String text) {
            try {
                load(new StringReader(text));
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }

        /** What {@code Properties.load} calls for each entry it reads (JDK 8 to 25). */
        @Override
        public synchronized Object put(Object key, Object value) {
            keysAndValues.add(new String[] {(String) key, (String) value});
            return null;
        }
    }

    /** A key and its value, the line it starts on, and which byte is not UTF-8 if one is. */
    static final class Entry {
        private final int line;
        private final String key;
        private final String value;
        private final Line notUtf8;

        Entry(Chunk chunk, String key, String value) {
            this.line = chunk.line;
            this.key = key;
            this.value = value;
            this.notUtf8 = chunk.notUtf8;
        }

        /** The number of the line the entry starts on, from 1. */
        int line() {
            return line;
        }

        String key() {
            return key;
        }

        String value() {
            return value;
        }

        /** The number of the first of its lines with a byte that is not UTF-8, or 0 when there is none. */
        int notUtf8Line() {
            return notUtf8 == null ? 0 : notUtf8.number;
        }

        /** That byte: {@code byte 0xE9 (byte 14 of the line)}; null when there is none. */
        String notUtf8Byte() {
            return notUtf8 == null ? null : notUtf8.badByteText;
        }
    }
}
