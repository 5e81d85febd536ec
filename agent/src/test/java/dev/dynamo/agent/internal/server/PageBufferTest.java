package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageBufferTest {

    @Test
    void keepsASmallArrayForTheNextPage() {
        PageBuffer page = new PageBuffer();
        page.write(new byte[100_000], 0, 100_000);
        byte[] used = page.bytes();

        page.reset();

        assertEquals(0, page.length());
        assertSame(used, page.bytes());
    }

    @Test
    void dropsAnArrayLargerThanTheCapOnceUsed() {
        PageBuffer page = new PageBuffer();
        page.write(new byte[PageBuffer.MAX_KEPT_BYTES + 1], 0, PageBuffer.MAX_KEPT_BYTES + 1);
        assertTrue(page.capacity() > PageBuffer.MAX_KEPT_BYTES);

        page.reset();

        assertEquals(0, page.capacity());
    }

    @Test
    void releasesItsArrayAfterAFailedRender() {
        PageBuffer page = new PageBuffer();
        page.write(7);

        page.release();

        assertEquals(0, page.capacity());
        assertEquals(0, page.length());
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
        byte[] written = new byte[page.length()];
        System.arraycopy(page.bytes(), 0, written, 0, page.length());
        assertArrayEquals(expected, written);
    }
}
