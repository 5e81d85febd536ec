package dev.dynamo.agent.internal.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConfigFileTest {

    private static List<ConfigFile.Entry> entries(String text) {
        return ConfigFile.entries(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Each entry is what {@code Properties} reads: keys, separators, escapes and continued lines. */
    @ParameterizedTest
    @ValueSource(strings = {
            "a=b", "a = b ", "  a:b", "a b", "a\tb", "a\fb", "a", "a=", "a==b", "a=:b", "a : = b", "a b c",
            "=b", ":b", "a=b=c", "a = b\\\n   c", "a=b\\\\", "a=b\\\\\\\nc", "a\\ b=c", "a\\=b=c", "a=\\u00e9",
            "a=b\\", "# comment\\\na=b", "! comment\na=b", "a=b\\\n# not a comment", "a=b\\\n\nc=d",
            "a=b\\\n   \nc=d", "\\\nc=d", "\\\n\nc=d", "a=b\r\nc=d\re=f\n", "a=b\\\r\n  c", " \t\f\na=b",
            "a=b\\\n\\\nc", "k=v\u0085w", "ключ=значение"})
    void readsEveryEntryAsPropertiesDoes(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        Map<String, String> expected = new HashMap<String, String>();
        for (String key : properties.stringPropertyNames()) {
            expected.put(key, properties.getProperty(key));
        }

        Map<String, String> read = new HashMap<String, String>();
        for (ConfigFile.Entry entry : entries(text)) {
            read.put(entry.key(), entry.value());
        }

        assertEquals(expected, read);
    }

    /**
     * The entries come from one load of the chunks, matched to their lines by count: in thousands of random
     * files of the characters that shape lines, the chunks are the logical lines {@code Properties} reads.
     */
    @Test
    void findsTheLogicalLinesThatPropertiesReadsInRandomFiles() {
        Random random = new Random(20261203L);
        String alphabet = "ab=: \t\f\\\\#!\n\r";
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (endsInALoneBackslash(text.toString())) {
                continue; // see aLoneBackslashOnTheLastLineIsNoEntry
            }
            byte[] content = text.toString().getBytes(StandardCharsets.UTF_8);
            ConfigFile.EntriesInOrder whole = new ConfigFile.EntriesInOrder();
            whole.loadText(text.toString());

            List<String> expected = new ArrayList<String>();
            for (String[] keyAndValue : whole.keysAndValues) {
                expected.add(keyAndValue[0] + "=" + keyAndValue[1]);
            }
            List<String> read = new ArrayList<String>();
            for (ConfigFile.Entry entry : ConfigFile.entries(content)) {
                read.add(entry.key() + "=" + entry.value());
            }

            String shown = text.toString().replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
            assertEquals(expected, read, shown);
            assertEquals(expected.size(), ConfigFile.chunks(ConfigFile.lines(content)).size(), shown);
        }
    }

    private static boolean endsInALoneBackslash(String text) {
        String[] lines = text.split("\r\n|\r|\n", -1);
        String last = lines[lines.length - 1].isEmpty() && lines.length > 1 ? lines[lines.length - 2]
                : lines[lines.length - 1];
        return last.replaceAll("^[ \t\f]+", "").equals("\\");
    }

    /**
     * {@code Properties} reads an entry with an empty name there, or none, as its buffer falls ({@code \\\n}
     * gives one, {@code \\\r\n} none); such an entry named no setting: nothing is lost.
     */
    @Test
    void aLoneBackslashOnTheLastLineIsNoEntry() {
        List<ConfigFile.Entry> entries = entries("a=b\n\\\n");

        assertEquals(1, entries.size());
        assertEquals("a", entries.get(0).key());
    }

    @Test
    void numbersEachEntryByTheLineItStartsOnAndKeepsTheirOrder() {
        List<ConfigFile.Entry> entries = entries("# one\nb=1\r\n\nc=2\\\n  3\ra=4\n");

        List<String> read = new ArrayList<String>();
        for (ConfigFile.Entry entry : entries) {
            read.add(entry.line() + ":" + entry.key() + "=" + entry.value());
        }
        assertEquals(Arrays.asList("2:b=1", "4:c=23", "6:a=4"), read);
    }

    @Test
    void namesTheFirstByteThatIsNotUtf8AndItsLine() {
        byte[] content = {'a', '=', '1', '\\', '\n', 'x', (byte) 0xC3, '(', '\n', 'b', '=', '2'};

        List<ConfigFile.Entry> entries = ConfigFile.entries(content);

        assertEquals(2, entries.size());
        assertEquals(1, entries.get(0).line());
        assertEquals(2, entries.get(0).notUtf8Line());
        assertEquals("byte 0xC3 (byte 2 of the line)", entries.get(0).notUtf8Byte());
        assertEquals(0, entries.get(1).notUtf8Line());
        assertEquals(null, entries.get(1).notUtf8Byte());
    }
}
