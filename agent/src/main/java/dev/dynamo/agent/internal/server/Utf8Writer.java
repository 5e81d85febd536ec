package dev.dynamo.agent.internal.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A {@link Writer} that gathers chars in a small block and encodes each block to UTF-8 at once.
 * simpleclient's TextFormat makes thousands of small writes per page; an {@code OutputStreamWriter}
 * locks and runs the encoder for each, and building the page as a String first would hold it
 * twice more. Encoding blocks keeps the encoder's fast ASCII path and the memory at a block.
 */
final class Utf8Writer extends Writer {
    private static final int BLOCK_CHARS = 8 * 1024;

    private final OutputStream out;
    private final char[] chars = new char[BLOCK_CHARS];
    private final CharBuffer charView = CharBuffer.wrap(chars);
    private final ByteBuffer bytes = ByteBuffer.allocate(BLOCK_CHARS * 3);
    private final CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private int used;

    Utf8Writer(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(String text) throws IOException {
        write(text, 0, text.length());
    }

    @Override
    public void write(String text, int offset, int length) throws IOException {
        append(text, null, offset, length);
    }

    @Override
    public void write(char[] source, int offset, int length) throws IOException {
        append(null, source, offset, length);
    }

    /**
     * Copies {@code length} chars of {@code text}, or else of {@code array}, into the block, encoding
     * each block as it fills. One loop for both: Writer's own {@code write(String)} would first
     * copy the string into a new array.
     */
    private void append(String text, char[] array, int offset, int length) throws IOException {
        while (length > 0) {
            int count = Math.min(length, BLOCK_CHARS - used);
            if (text != null) {
                text.getChars(offset, offset + count, chars, used);
            } else {
                System.arraycopy(array, offset, chars, used, count);
            }
            used += count;
            offset += count;
            length -= count;
            if (used == BLOCK_CHARS) {
                encode(false);
            }
        }
    }

    @Override
    public void write(int c) throws IOException {
        if (used == BLOCK_CHARS) {
            encode(false);
        }
        chars[used++] = (char) c;
    }

    /** Encodes the block; a high surrogate at its end waits for its low one, unless this is the end. */
    private void encode(boolean end) throws IOException {
        charView.limit(used).position(0);
        bytes.clear();
        CoderResult result = encoder.encode(charView, bytes, end);
        if (end) {
            encoder.flush(bytes);
            encoder.reset();
        }
        if (result.isError()) {
            throw new IOException("cannot encode the page: " + result);
        }
        out.write(bytes.array(), 0, bytes.position());
        int left = charView.remaining();
        System.arraycopy(chars, charView.position(), chars, 0, left);
        used = left;
    }

    @Override
    public void flush() throws IOException {
        encode(true);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
