package dev.dynamo.agent.internal.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;

/**
 * A {@link Writer} that encodes UTF-8 into a small array and passes it on in blocks. simpleclient's
 * TextFormat makes thousands of small writes per page; an {@code OutputStreamWriter} locks and runs
 * the charset encoder for each, and building the page as a String first would hold it twice more.
 */
final class Utf8Writer extends Writer {
    private static final int BLOCK_BYTES = 8 * 1024;

    private final OutputStream out;
    private final byte[] block = new byte[BLOCK_BYTES];
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
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (used > BLOCK_BYTES - 4) {
                flushBlock();
            }
            char c = text.charAt(i);
            if (c < 0x80) {
                block[used++] = (byte) c;
            } else {
                i = encode(c, i + 1 < end ? text.charAt(i + 1) : 0, i);
            }
        }
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (used > BLOCK_BYTES - 4) {
                flushBlock();
            }
            char c = chars[i];
            if (c < 0x80) {
                block[used++] = (byte) c;
            } else {
                i = encode(c, i + 1 < end ? chars[i + 1] : 0, i);
            }
        }
    }

    @Override
    public void write(int c) throws IOException {
        write(String.valueOf((char) c));
    }

    /** Encodes one non-ASCII char (with its low surrogate when {@code c} is a high one); returns the last index used. */
    private int encode(char c, char next, int index) {
        if (c < 0x800) {
            block[used++] = (byte) (0xc0 | (c >> 6));
            block[used++] = (byte) (0x80 | (c & 0x3f));
            return index;
        }
        if (Character.isHighSurrogate(c) && Character.isLowSurrogate(next)) {
            int codePoint = Character.toCodePoint(c, next);
            block[used++] = (byte) (0xf0 | (codePoint >> 18));
            block[used++] = (byte) (0x80 | ((codePoint >> 12) & 0x3f));
            block[used++] = (byte) (0x80 | ((codePoint >> 6) & 0x3f));
            block[used++] = (byte) (0x80 | (codePoint & 0x3f));
            return index + 1;
        }
        if (Character.isSurrogate(c)) {
            block[used++] = '?';
            return index;
        }
        block[used++] = (byte) (0xe0 | (c >> 12));
        block[used++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        block[used++] = (byte) (0x80 | (c & 0x3f));
        return index;
    }

    private void flushBlock() throws IOException {
        if (used > 0) {
            out.write(block, 0, used);
            used = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        flushBlock();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
