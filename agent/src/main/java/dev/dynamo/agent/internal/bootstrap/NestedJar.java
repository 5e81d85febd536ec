package dev.dynamo.agent.internal.bootstrap;

import dev.dynamo.agent.internal.ByteStreams;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The class files of the API jar that travels inside the agent jar, read from its bytes at start-up.
 *
 * <p>Reads the zip's central directory, which has every entry's sizes, and inflates each class file
 * straight into an array of its size with one {@link Inflater}: half the time of a
 * {@link ZipInputStream}, whose header parsing, buffering and copying run in the interpreter this
 * early. A jar this reader does not expect (zip64, a method other than stored or deflated) is read
 * with a {@code ZipInputStream} instead.
 */
final class NestedJar {
    private static final int END_OF_CENTRAL_DIRECTORY = 0x06054b50;
    private static final int CENTRAL_ENTRY = 0x02014b50;
    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int END_RECORD_SIZE = 22;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;

    private NestedJar() {
    }

    /** Class name (binary) to class file, for each class of {@code jar} but {@code module-info}. */
    static Map<String, byte[]> classes(byte[] jar) throws IOException {
        try {
            return fromCentralDirectory(jar);
        } catch (IOException | RuntimeException | DataFormatException unexpected) {
            return fromStream(jar);
        }
    }

    static Map<String, byte[]> fromCentralDirectory(byte[] jar) throws IOException, DataFormatException {
        int end = jar.length - END_RECORD_SIZE;
        while (end >= 0 && int32(jar, end) != END_OF_CENTRAL_DIRECTORY) {
            end--; // only a zip comment lies after the record
        }
        if (end < 0) {
            throw new IOException("no end of central directory");
        }
        int entries = int16(jar, end + 10);
        int offset = int32(jar, end + 16);
        Map<String, byte[]> classes = new LinkedHashMap<String, byte[]>();
        Inflater inflater = new Inflater(true);
        try {
            for (int i = 0; i < entries; i++) {
                if (int32(jar, offset) != CENTRAL_ENTRY) {
                    throw new IOException("no central directory entry at " + offset);
                }
                int method = int16(jar, offset + 10);
                int compressedSize = int32(jar, offset + 20);
                int size = int32(jar, offset + 24);
                int nameLength = int16(jar, offset + 28);
                int localHeader = int32(jar, offset + 42);
                String name = new String(jar, offset + 46, nameLength, StandardCharsets.UTF_8);
                offset += 46 + nameLength + int16(jar, offset + 30) + int16(jar, offset + 32);
                if (!isClass(name)) {
                    continue;
                }
                if (compressedSize < 0 || size < 0 || int32(jar, localHeader) != LOCAL_HEADER) {
                    throw new IOException("unexpected entry " + name);
                }
                int data = localHeader + 30 + int16(jar, localHeader + 26) + int16(jar, localHeader + 28);
                classes.put(className(name), content(jar, data, method, compressedSize, size, inflater));
            }
        } finally {
            inflater.end();
        }
        return classes;
    }

    private static byte[] content(byte[] jar, int data, int method, int compressedSize, int size, Inflater inflater)
            throws IOException, DataFormatException {
        byte[] content = new byte[size];
        if (method == STORED && compressedSize == size) {
            System.arraycopy(jar, data, content, 0, size);
            return content;
        }
        if (method != DEFLATED) {
            throw new IOException("compression method " + method);
        }
        inflater.reset();
        inflater.setInput(jar, data, compressedSize);
        int filled = 0;
        while (filled < size) {
            int inflated = inflater.inflate(content, filled, size - filled);
            if (inflated == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                throw new IOException("truncated entry");
            }
            filled += inflated;
        }
        if (!inflater.finished() && inflater.inflate(new byte[1]) != 0) {
            throw new IOException("entry longer than its recorded size");
        }
        return content;
    }

    static Map<String, byte[]> fromStream(byte[] jar) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<String, byte[]>();
        // A plain zip stream: the nested jar is not signed, so a JarInputStream's manifest and verifier are not needed.
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (isClass(entry.getName())) {
                    classes.put(className(entry.getName()), ByteStreams.readAll(in, 4096));
                }
            }
        }
        return classes;
    }

    private static boolean isClass(String entryName) {
        return entryName.endsWith(".class") && !entryName.endsWith("module-info.class");
    }

    private static String className(String entryName) {
        return entryName.substring(0, entryName.length() - ".class".length()).replace('/', '.');
    }

    private static int int16(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFF) | (bytes[offset + 1] & 0xFF) << 8;
    }

    private static int int32(byte[] bytes, int offset) {
        return int16(bytes, offset) | int16(bytes, offset + 2) << 16;
    }
}
