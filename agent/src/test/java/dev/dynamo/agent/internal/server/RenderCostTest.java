package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RenderCostTest {
    private static final ScrapeSize PAGE = new ScrapeSize(100_000, 16_000_000, 0);

    @Test
    void countsEachSampleAndThePageItsTextMakes() {
        assertEquals(RenderCost.FIXED_BYTES + 100_000 * RenderCost.SAMPLE_BYTES + 16_000_000,
                RenderCost.bytes(PAGE, false, true));
    }

    @Test
    void countsAGzippedPageAtAQuarterOfItsText() {
        assertEquals(RenderCost.bytes(PAGE, false, true) - 12_000_000, RenderCost.bytes(PAGE, true, true));
    }

    @Test
    void countsMoreWithoutCompressedOopsAndForSamplesMergedAcrossCopies() {
        assertTrue(RenderCost.bytes(PAGE, false, false) > RenderCost.bytes(PAGE, false, true));
        assertEquals(RenderCost.bytes(PAGE, false, true) + 100_000 * RenderCost.MERGED_SAMPLE_BYTES,
                RenderCost.bytes(new ScrapeSize(100_000, 16_000_000, 100_000), false, true));
    }
}
