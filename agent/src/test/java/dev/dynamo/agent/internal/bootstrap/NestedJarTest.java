package dev.dynamo.agent.internal.bootstrap;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.jar.JarOutputStream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NestedJarTest {
    private static final byte[] SMALL = "small".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LARGE = new byte[70_000];

    static {
        new Random(7).nextBytes(LARGE);
        Arrays.fill(LARGE, 0, 20_000, (byte) 'x'); // compresses: inflated in more than one piece
    }

    /** A jar as the JDK writes it: deflated entries with data descriptors, a stored one, and a non-class file. */
    private static byte[] jar(boolean withComment) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes)) {
            put(out, "META-INF/", new byte[0], false);
            put(out, "a/Small.class", SMALL, false);
            put(out, "a/b/Large.class", LARGE, false);
            put(out, "a/Stored.class", SMALL, true);
            put(out, "a/notes.txt", SMALL, false);
            put(out, "module-info.class", SMALL, false);
            if (withComment) {
                out.setComment("a comment after the last record");
            }
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream out, String name, byte[] content, boolean stored) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        if (stored) {
            CRC32 crc = new CRC32();
            crc.update(content);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(content.length);
            entry.setCompressedSize(content.length);
            entry.setCrc(crc.getValue());
        }
        out.putNextEntry(entry);
        out.write(content);
        out.closeEntry();
    }

    @Test
    void readsEveryClassButModuleInfoFromTheCentralDirectory() throws Exception {
        for (boolean withComment : new boolean[] {false, true}) {
            Map<String, byte[]> classes = NestedJar.fromCentralDirectory(jar(withComment));
            assertEquals(Arrays.asList("a.Small", "a.b.Large", "a.Stored"), Arrays.asList(classes.keySet().toArray()));
            assertArrayEquals(SMALL, classes.get("a.Small"));
            assertArrayEquals(LARGE, classes.get("a.b.Large"));
            assertArrayEquals(SMALL, classes.get("a.Stored"));
        }
    }

    @Test
    void readsWhatAZipStreamReads() throws Exception {
        byte[] jar = jar(false);
        Map<String, byte[]> direct = NestedJar.fromCentralDirectory(jar);
        Map<String, byte[]> streamed = NestedJar.fromStream(jar);
        assertEquals(streamed.keySet(), direct.keySet());
        for (String name : streamed.keySet()) {
            assertArrayEquals(streamed.get(name), direct.get(name), name);
        }
    }

    @Test
    void aJarItCannotReadDirectlyIsReadAsAStream() throws Exception {
        byte[] jar = jar(false);
        // Corrupt the central directory's offset: the direct reader fails, the stream reader does not need it.
        int end = jar.length - 22;
        jar[end + 16] ^= 0x5A;
        byte[] corrupt = jar;
        assertThrows(Exception.class, () -> NestedJar.fromCentralDirectory(corrupt));
        assertArrayEquals(LARGE, NestedJar.classes(corrupt).get("a.b.Large"));
    }
}
