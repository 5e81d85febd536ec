package dev.dynamo.agent.internal.server;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A rendered page, in chunks of {@link #CHUNK_BYTES}: a page takes its own size and at most one
 * chunk more, where one growing array would hold its old and its doubled copy at once (an 18 MB page
 * then needed 48 MB free, and failed in a heap it fits in). The chunks are kept for the next scrape
 * of the same render slot up to {@link #MAX_KEPT_BYTES}, so that the memory a large page took is
 * given back.
 */
final class PageBuffer extends OutputStream {
    /** Largest capacity kept between scrapes; the agent keeps at most this much per render slot. */
    static final int MAX_KEPT_BYTES = 4 * 1024 * 1024;
    /** The size of each chunk: a multiple of the server's write slice, which never spans two chunks. */
    static final int CHUNK_BYTES = 4 * ServerLoop.WRITE_SLICE_BYTES;
    private static final long MAX_PAGE_BYTES = Integer.MAX_VALUE - 16;

    private final List<byte[]> chunks = new ArrayList<byte[]>();
    private int length;

    @Override
    public void write(int b) {
        int offset = length % CHUNK_BYTES;
        chunkFor(1)[offset] = (byte) b;
        length++;
    }

    @Override
    public void write(byte[] source, int offset, int count) {
        while (count > 0) {
            int inChunk = length % CHUNK_BYTES;
            int taken = Math.min(count, CHUNK_BYTES - inChunk);
            System.arraycopy(source, offset, chunkFor(taken), inChunk, taken);
            length += taken;
            offset += taken;
            count -= taken;
        }
    }

    /** The chunk that byte {@link #length} goes to, added when needed, with room for {@code count} more. */
    private byte[] chunkFor(int count) {
        if ((long) length + count > MAX_PAGE_BYTES) {
            throw new OutOfMemoryError("a metrics page larger than " + MAX_PAGE_BYTES + " bytes");
        }
        int index = length / CHUNK_BYTES;
        if (index == chunks.size()) {
            chunks.add(new byte[CHUNK_BYTES]);
        }
        return chunks.get(index);
    }

    /**
     * At most {@code max} bytes of the page from {@code position}, within one chunk: a view, valid
     * until {@link #reset()} or {@link #release()}.
     */
    ByteBuffer slice(int position, int max) {
        int inChunk = position % CHUNK_BYTES;
        int count = Math.min(Math.min(max, CHUNK_BYTES - inChunk), length - position);
        return ByteBuffer.wrap(chunks.get(position / CHUNK_BYTES), inChunk, count);
    }

    /** The page as one array: a copy, for tests and small pages. */
    byte[] toByteArray() {
        byte[] copy = new byte[length];
        for (int position = 0; position < length; position += CHUNK_BYTES) {
            System.arraycopy(chunks.get(position / CHUNK_BYTES), 0, copy, position,
                    Math.min(CHUNK_BYTES, length - position));
        }
        return copy;
    }

    int length() {
        return length;
    }

    /** Empties the buffer for the next page, keeping at most {@link #MAX_KEPT_BYTES} of chunks. */
    void reset() {
        length = 0;
        int kept = MAX_KEPT_BYTES / CHUNK_BYTES;
        while (chunks.size() > kept) {
            chunks.remove(chunks.size() - 1);
        }
    }

    /** Drops the chunks past the page's end, kept from an earlier, larger page. */
    void dropChunksPastLength() {
        int used = (int) (((long) length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        while (chunks.size() > used) {
            chunks.remove(chunks.size() - 1);
        }
    }

    /** Drops every chunk, e.g. after a render that ran out of memory. */
    void release() {
        length = 0;
        chunks.clear();
    }

    int capacity() {
        return chunks.size() * CHUNK_BYTES;
    }
}
