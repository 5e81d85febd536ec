package dev.dynamo.agent.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a stream to its end: the nested API jar at start-up, class files during instrumentation.
 * {@code InputStream.readAllBytes} is Java 9+, and the agent runs on Java 8.
 */
public final class ByteStreams {
    private ByteStreams() {
    }

    /** All bytes left in {@code in}, which the caller closes; {@code expectedSize} only sizes the buffer. */
    public static byte[] readAll(InputStream in, int expectedSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(expectedSize);
        byte[] buffer = new byte[Math.min(Math.max(expectedSize, 512), 8192)];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }
}
