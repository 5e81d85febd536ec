package dev.dynamo.agent.internal.server;

import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageBufferTest {

    @Test
    void keepsItsChunksForTheNextPage() {
        PageBuffer page = new PageBuffer();
        page.write(new byte[100_000], 0, 100_000);
        int capacity = page.capacity();

        page.reset();

        assertEquals(0, page.length());
        assertEquals(capacity, page.capacity());
    }

    @Test
    void keepsNoMoreThanTheCapOnceUsed() {
        PageBuffer page = new PageBuffer();
        page.write(new byte[PageBuffer.MAX_KEPT_BYTES * 2], 0, PageBuffer.MAX_KEPT_BYTES * 2);
        assertTrue(page.capacity() > PageBuffer.MAX_KEPT_BYTES);

        page.reset();

        assertEquals(PageBuffer.MAX_KEPT_BYTES, page.capacity());
    }

    /**
     * A render slot hands over a page with only the chunks it uses, and counts its length: the chunks
     * it kept from an earlier, larger page stay out of the connection's hands and of the budget.
     */
    @Test
    void aPageHandedOverTakesOnlyItsOwnChunks() {
        RenderSlot slot = new RenderSlot(new MetricsHandler(new CollectorRegistry(), () -> { }, new Rejections()),
                () -> { });
        PageBuffer earlier = slot.page;
        earlier.write(new byte[10 * PageBuffer.CHUNK_BYTES], 0, 10 * PageBuffer.CHUNK_BYTES);
        earlier.reset();
        earlier.write(new byte[PageBuffer.CHUNK_BYTES + 1], 0, PageBuffer.CHUNK_BYTES + 1);

        assertEquals(PageBuffer.CHUNK_BYTES + 1, slot.handOverPage());

        assertEquals(2 * PageBuffer.CHUNK_BYTES, earlier.capacity(), "the page's two chunks, not the ten kept");
        assertEquals(PageBuffer.CHUNK_BYTES + 1, earlier.length(), "the page itself is untouched");
        assertNotSame(earlier, slot.page);
        assertEquals(0, slot.page.capacity());
        assertNull(slot.owner);
    }

    @Test
    void releasesItsChunksAfterAFailedRender() {
        PageBuffer page = new PageBuffer();
        page.write(7);

        page.release();

        assertEquals(0, page.capacity());
        assertEquals(0, page.length());
    }

    @Test
    void aLargePageTakesItsOwnSizeAndLessThanAChunkMore() {
        // A doubling array held up to twice the page, and both copies while it grew.
        PageBuffer page = new PageBuffer();
        int size = 10 * PageBuffer.CHUNK_BYTES + 1;
        for (int written = 0; written < size; written += 1000) {
            page.write(new byte[1000], 0, Math.min(1000, size - written));
        }

        assertEquals(size, page.length());
        assertTrue(page.capacity() - page.length() < PageBuffer.CHUNK_BYTES, "capacity " + page.capacity());
    }

    @Test
    void readsBackInSlicesWhatWasWrittenAcrossChunks() {
        byte[] content = new byte[3 * PageBuffer.CHUNK_BYTES + 123];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + i / 7);
        }
        PageBuffer page = new PageBuffer();
        page.write(content[0]);
        page.write(content, 1, PageBuffer.CHUNK_BYTES - 2);
        page.write(content, PageBuffer.CHUNK_BYTES - 1, content.length - PageBuffer.CHUNK_BYTES);
        page.write(content[content.length - 1]);

        assertArrayEquals(content, page.toByteArray());
        for (int max : new int[] {1000, PageBuffer.CHUNK_BYTES, Integer.MAX_VALUE}) {
            byte[] read = new byte[content.length];
            int position = 0;
            while (position < page.length()) {
                ByteBuffer slice = page.slice(position, max);
                assertTrue(slice.remaining() > 0 && slice.remaining() <= max);
                int count = slice.remaining();
                slice.get(read, position, count);
                position += count;
            }
            assertArrayEquals(content, read, "slices of at most " + max + " bytes");
        }
    }

    @Test
    void encodesUtf8AsTheCharsetDoes() throws IOException {
        String text = "ascii é € \uD83D\uDE00 lone\uD800 end";
        PageBuffer page = new PageBuffer();
        Utf8Writer writer = new Utf8Writer(page);
        writer.write(text);
        writer.write(text.toCharArray(), 0, text.length());
        writer.flush();

        byte[] expected = (text + text).replace('\uD800', '?').getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, page.toByteArray());
    }
}
