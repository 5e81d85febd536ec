package dev.dynamo.agent.internal.server;

import java.io.OutputStream;

/**
 * A rendered page: a growable byte array, kept for the next scrape of the same render slot unless
 * it grew beyond {@link #MAX_KEPT_BYTES}, so that the memory a large page took is given back.
 */
final class PageBuffer extends OutputStream {
    /** Largest array kept between scrapes; the agent keeps at most this much per render slot. */
    static final int MAX_KEPT_BYTES = 4 * 1024 * 1024;
    private static final int INITIAL_BYTES = 16 * 1024;
    private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16;

    private byte[] bytes;
    private int length;

    @Override
    public void write(int b) {
        ensureRoom(1);
        bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int count) {
        ensureRoom(count);
        System.arraycopy(source, offset, bytes, length, count);
        length += count;
    }

    private void ensureRoom(int count) {
        if (bytes == null) {
            bytes = new byte[Math.max(INITIAL_BYTES, count)];
        }
        int needed = length + count;
        if (needed < 0 || needed > MAX_ARRAY_BYTES) {
            throw new OutOfMemoryError("a metrics page larger than " + MAX_ARRAY_BYTES + " bytes");
        }
        if (needed > bytes.length) {
            int grown = bytes.length > MAX_ARRAY_BYTES / 2 ? MAX_ARRAY_BYTES : bytes.length * 2;
            byte[] larger = new byte[Math.max(grown, needed)];
            System.arraycopy(bytes, 0, larger, 0, length);
            bytes = larger;
        }
    }

    /** The array holding the page; valid until {@link #reset()} or {@link #release()}. */
    byte[] bytes() {
        return bytes == null ? new byte[0] : bytes;
    }

    int length() {
        return length;
    }

    /** Empties the buffer for the next page, dropping an array larger than {@link #MAX_KEPT_BYTES}. */
    void reset() {
        length = 0;
        if (bytes != null && bytes.length > MAX_KEPT_BYTES) {
            bytes = null;
        }
    }

    /** Drops the array altogether, e.g. after a render that ran out of memory. */
    void release() {
        length = 0;
        bytes = null;
    }

    int capacity() {
        return bytes == null ? 0 : bytes.length;
    }
}
