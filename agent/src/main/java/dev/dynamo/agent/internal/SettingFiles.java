package dev.dynamo.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a file that a setting names ({@code DYN_CONFIG_FILE}, {@code DYN_SYSTEM_WEB_CONFIG} and the
 * PEM files the web configuration names). Such a file is a few KB, and the agent reads it before or
 * beside the application, so anything else must fail at once: opening a named pipe blocks until a
 * writer comes (premain would never return), and {@code /dev/zero} or a huge file would fill the heap.
 *
 * <pre>{@code
 * byte[] content = SettingFiles.read(Paths.get("/etc/dynamo/agent.properties"));
 * }</pre>
 */
public final class SettingFiles {
    /** The most a settings file may hold: generous for a few KB of properties, YAML or certificates. */
    public static final int MAX_BYTES = 1024 * 1024;
    /** {@link #MAX_BYTES} as the documentation says it. */
    public static final String MAX_SIZE_TEXT = "1 MiB";

    private SettingFiles() {
    }

    /**
     * The whole content of {@code file}, which must be a regular file of at most {@link #MAX_BYTES}.
     *
     * @throws IOException whose message says, without a class name, what was wrong and what is accepted
     */
    public static byte[] read(Path file) throws IOException {
        // Checked before opening: opening a FIFO for reading blocks, and no option of Files.newInputStream avoids it.
        if (!Files.isRegularFile(file)) {
            throw new IOException(Files.notExists(file) ? "there is no such file"
                    : Files.isDirectory(file) ? "it is a directory"
                    : "it is not a regular file (a named pipe, device or socket)");
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = readAtMost(in, MAX_BYTES + 1);
        } catch (AccessDeniedException denied) {
            throw new IOException("this process may not read it", denied);
        } catch (NoSuchFileException gone) {
            throw new IOException("there is no such file", gone);
        } catch (IOException failed) {
            throw new IOException("it cannot be read (" + failed + ")", failed);
        }
        if (content.length > MAX_BYTES) {
            throw new IOException("it is larger than " + MAX_SIZE_TEXT + " (" + MAX_BYTES
                    + " bytes), the most a settings file may hold");
        }
        return content;
    }

    /** Up to {@code limit} bytes, whatever the file's size says: a file of /proc says 0. */
    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        byte[] content = new byte[8192];
        int length = 0;
        while (length < limit) {
            if (length == content.length) {
                content = Arrays.copyOf(content, Math.min(length * 2, limit));
            }
            int read = in.read(content, length, content.length - length);
            if (read < 0) {
                break;
            }
            length += read;
        }
        return Arrays.copyOf(content, length);
    }
}
