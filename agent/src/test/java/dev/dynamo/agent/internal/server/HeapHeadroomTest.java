package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapHeadroomTest {
    private static final long MB = 1024 * 1024;

    /** Heap figures a test sets as it goes. */
    static final class Figures implements HeapHeadroom.Figures {
        long max = 40 * MB;
        long usedNow = 38 * MB;
        HeapHeadroom.Collection last = new HeapHeadroom.Collection(1_000, 28 * MB);
        long uptime = 2_000;

        @Override
        public long maxBytes() {
            return max;
        }

        @Override
        public long usedNowBytes() {
            return usedNow;
        }

        @Override
        public HeapHeadroom.Collection lastCollection() {
            return last;
        }

        @Override
        public long uptimeMillis() {
            return uptime;
        }

        @Override
        public boolean compressedOops() {
            return true;
        }
    }

    private final Figures figures = new Figures();
    private final HeapHeadroom headroom = new HeapHeadroom(figures);

    @Test
    void admitsARenderOfAtMostHalfTheHeapFreeAfterTheLastCollectionAndReservesIt() {
        HeapHeadroom.Decision decision = headroom.admit(6 * MB, headroom.reservation());

        assertTrue(decision.admitted);
        assertEquals(12 * MB, decision.freeBytes);
        assertEquals(6 * MB, headroom.reservedBytes());
    }

    @Test
    void refusesARenderOfMoreAndReservesNothing() {
        HeapHeadroom.Decision decision = headroom.admit(6 * MB + 1, headroom.reservation());

        assertFalse(decision.admitted);
        assertEquals(12 * MB, decision.freeBytes);
        assertEquals(0, headroom.reservedBytes());
    }

    /** The re-tester's application: 100,000 series in -Xmx40m, 28 MB live; a page of about 43 MB to render. */
    @Test
    void refusesThePageOfAHundredThousandSeriesInAFortyMegabyteHeapWithTwentyEightLive() {
        ScrapeSize size = new ScrapeSize(100_000, 16_400_000, 0);

        assertFalse(headroom.admit(RenderCost.bytes(size, false, true), headroom.reservation()).admitted);
        assertFalse(headroom.admit(RenderCost.bytes(size, true, true), headroom.reservation()).admitted);
        assertTrue(headroom.admit(RenderCost.bytes(new ScrapeSize(10, 1_500, 0), false, true),
                headroom.reservation()).admitted, "a scrape of a few samples");
    }

    @Test
    void countsWhatOtherRendersReservedUntilTheyReleaseIt() {
        HeapHeadroom.Reservation first = headroom.reservation();
        assertTrue(headroom.admit(4 * MB, first).admitted);

        HeapHeadroom.Decision second = headroom.admit(4 * MB + 1, headroom.reservation());
        first.shrinkTo(MB);
        HeapHeadroom.Decision third = headroom.admit(4 * MB + 1, headroom.reservation());

        assertFalse(second.admitted, "8 MB free beside the first, of which 4 MB may be taken");
        assertEquals(8 * MB, second.freeBytes);
        assertTrue(third.admitted, "the first's page holds 1 MB now: 11 MB free");
        first.release();
        assertEquals(4 * MB + 1, headroom.reservedBytes(), "the third's");
    }

    @Test
    void takesTheHeapInUseNowBeforeTheFirstCollectionAndWhenItIsLess() {
        figures.last = null;
        assertEquals(2 * MB, headroom.admit(0, headroom.reservation()).freeBytes);

        figures.last = new HeapHeadroom.Collection(1_000, 28 * MB);
        figures.usedNow = 20 * MB;
        assertEquals(20 * MB, headroom.admit(0, headroom.reservation()).freeBytes);
    }

    @Test
    void admitsEverythingWithoutAHeapLimit() {
        figures.max = Long.MAX_VALUE;

        assertTrue(headroom.admit(Long.MAX_VALUE / 4, headroom.reservation()).admitted);
    }

    /**
     * A collection while a render held its samples found them alive: counted only as far as it exceeds the
     * last figure found without a render by more than the renders reserved, so that the next scrape of an
     * idle application is not refused for the heap the one before it held.
     */
    @Test
    void takesACollectionThatEndedWhileARenderHeldHeapLessTheRendersReservation() {
        figures.max = 64 * MB;
        HeapHeadroom.Reservation render = headroom.reservation();
        figures.uptime = 2_000;
        assertTrue(headroom.admit(16 * MB, render).admitted);
        figures.last = new HeapHeadroom.Collection(2_500, 42 * MB);
        figures.uptime = 3_000;
        render.release();
        figures.usedNow = 60 * MB;

        assertEquals(64 * MB - 28 * MB, headroom.admit(0, headroom.reservation()).freeBytes,
                "42 MB less the 16 MB reserved is below the 28 MB of before: 28 MB");
        figures.last = new HeapHeadroom.Collection(3_500, 50 * MB);
        assertEquals(14 * MB, headroom.admit(0, headroom.reservation()).freeBytes,
                "a collection after the render counts whole");
    }

    @Test
    void remembersACollectionFoundDuringARenderPastTheNextRender() {
        figures.max = 64 * MB;
        HeapHeadroom.Reservation render = headroom.reservation();
        assertTrue(headroom.admit(16 * MB, render).admitted);
        figures.last = new HeapHeadroom.Collection(2_500, 42 * MB);
        figures.uptime = 3_000;
        render.release();
        figures.uptime = 4_000;
        assertTrue(headroom.admit(MB, render).admitted);
        figures.uptime = 5_000;
        render.release();

        assertEquals(64 * MB - 28 * MB, headroom.admit(0, headroom.reservation()).freeBytes);
    }

    @Test
    void takesACollectionDuringTheFirstRenderWholeWithoutAnEarlierOne() {
        figures.max = 64 * MB;
        figures.last = null;
        figures.usedNow = 20 * MB;
        HeapHeadroom.Reservation render = headroom.reservation();
        assertTrue(headroom.admit(16 * MB, render).admitted);
        figures.last = new HeapHeadroom.Collection(2_500, 42 * MB);
        figures.uptime = 3_000;
        render.release();
        figures.usedNow = 60 * MB;

        assertEquals(64 * MB - 42 * MB, headroom.admit(0, headroom.reservation()).freeBytes);
    }
}
