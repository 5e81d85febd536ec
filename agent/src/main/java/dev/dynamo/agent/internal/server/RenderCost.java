package dev.dynamo.agent.internal.server;

/**
 * What rendering a page allocates in the heap, from its {@link ScrapeSize}: the samples collected
 * (the API's snapshot, then simpleclient's samples), what writing them makes, and the page.
 *
 * <p>The figures per sample are measured, not guessed: {@code ThreadMXBean.getThreadAllocatedBytes} of
 * every thread around one {@code MetricsHandler.render} of the API's metrics, after two renders to
 * warm up, less the page's own bytes, on JDK 17.0.15 and Temurin 25, G1, {@code -Xmx1g}:
 * <pre>
 *                                         text   gzip   OpenMetrics  +gzip   page/sample (text)
 * counters, 100,000 series, 5 labels       206    205       206       183        143
 *   the same with label values 100 longer  181    182       194       192        243
 * histograms, 10,000 series (140,000)      242    242       266       266        128
 * counters on Temurin 25                   247    245       245       245        143
 * histograms on Temurin 25                 253    252       253       252        128
 * without compressed oops (ZGC, or -XX:-UseCompressedOops, as heaps from 32 GB are):
 *   counters                               308    306       306       274
 *   histograms (ZGC the same)              343    364       375       343
 * with a foreign copy of the API, half of the 100,000 samples its own, all merged:
 *   counters                               612    608       632       616
 *   counters, without compressed oops      767    759       803       771
 * </pre>
 * So a sample is counted at {@link #SAMPLE_BYTES} (above every figure measured with compressed
 * oops) or {@link #SAMPLE_BYTES_UNCOMPRESSED}, and one merged across copies costs
 * {@link #MERGED_SAMPLE_BYTES} more (612 - 206 = 406; 767 - 308 = 459 without compressed oops).
 * The page is the text's bytes as the API counts them, 8-16 % above the pages rendered, or a
 * quarter of them when gzipped (the pages measured were 25-37 times smaller; a quarter leaves room
 * for label values that compress badly, such as random ids). These are allocations, not what the
 * render holds at once, which is less (the collected samples, 68-163 bytes each, and the page): the
 * estimate errs on the side of the application.
 */
final class RenderCost {
    static final long SAMPLE_BYTES = 280;
    static final long SAMPLE_BYTES_UNCOMPRESSED = 400;
    static final long MERGED_SAMPLE_BYTES = 450;
    static final long MERGED_SAMPLE_BYTES_UNCOMPRESSED = 520;
    /** A gzipped page is counted at this fraction of its text. */
    static final long GZIP_DIVISOR = 4;
    /** Whatever the page's size: its last chunk's unused part, the gzip stream's buffer, the writer's. */
    static final long FIXED_BYTES = PageBuffer.CHUNK_BYTES + 64 * 1024;

    private RenderCost() {
    }

    /**
     * The bytes a render of a collection of {@code size} allocates, at most.
     *
     * @param compressedOops whether the JVM uses compressed object pointers: objects are smaller then
     */
    static long bytes(ScrapeSize size, boolean gzip, boolean compressedOops) {
        long perSample = compressedOops ? SAMPLE_BYTES : SAMPLE_BYTES_UNCOMPRESSED;
        long perMerged = compressedOops ? MERGED_SAMPLE_BYTES : MERGED_SAMPLE_BYTES_UNCOMPRESSED;
        long page = gzip ? size.textBytes / GZIP_DIVISOR : size.textBytes;
        return FIXED_BYTES + size.samples * perSample + size.mergedSamples * perMerged + page;
    }
}
