package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.config.AgentConfig;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.io.Writer;
import java.net.URLDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * {@code GET|HEAD /metrics}: Prometheus text 0.0.4, or OpenMetrics when {@code Accept} prefers it;
 * gzip when accepted; {@code name[]=} keeps only the named families or samples, and with a
 * {@link ScrapeRegistry} runs only the collectors that can have them. Runs on a render thread.
 *
 * <p>With a {@link ScrapeRegistry}, a page is first weighed against the heap ({@link HeapHeadroom}):
 * one the free heap cannot spare is answered 503, before anything is collected.
 */
final class MetricsHandler {
    /** How long a client refused for the heap is asked to wait: the heap in use changes with the collections. */
    static final String HEAP_RETRY_AFTER_SECONDS = "30";
    private static final long MB = 1024 * 1024;
    /** The samples of a histogram and a gauge histogram besides the family's own name. */
    private static final List<String> HISTOGRAM_SAMPLE_SUFFIXES =
            Collections.unmodifiableList(Arrays.asList("_bucket", "_count", "_sum", "_gcount", "_gsum"));

    private final CollectorRegistry registry;
    private final Runnable beforeEachScrape;
    private final Rejections rejections;
    private final HeapHeadroom headroom;

    MetricsHandler(CollectorRegistry registry, Runnable beforeEachScrape, Rejections rejections) {
        this(registry, beforeEachScrape, rejections, new HeapHeadroom(new JvmHeap()));
    }

    MetricsHandler(CollectorRegistry registry, Runnable beforeEachScrape, Rejections rejections,
            HeapHeadroom headroom) {
        this.registry = registry;
        this.beforeEachScrape = beforeEachScrape;
        this.rejections = rejections;
        this.headroom = headroom;
    }

    /** A reservation of the heap for one render slot's renders. */
    HeapHeadroom.Reservation reservation() {
        return headroom.reservation();
    }

    /**
     * Renders the page into {@code page}; the response's body is {@code page}'s array. What the render
     * allocates is reserved in {@code reservation} first, or the scrape is answered 503.
     */
    HttpResponse render(HttpRequest request, PageBuffer page, HeapHeadroom.Reservation reservation)
            throws IOException {
        Set<String> names;
        try {
            names = requestedNames(request.rawQuery());
        } catch (IllegalArgumentException malformed) {
            // Counted and logged like the 400s of the request head, which the selector thread answers.
            rejections.count(Rejections.Reason.BAD_REQUEST, "answered 400 to a malformed request: malformed"
                    + " percent-encoding in the query");
            return HttpResponse.text(400, "Bad Request: malformed percent-encoding in the query; use"
                    + " ?name[]=metric_name, where '%' must start an escape of two hex digits (%25 for '%' itself)\n");
        }
        beforeEachScrape.run();
        boolean openMetrics = ContentNegotiation.prefersOpenMetrics(request.header("Accept"));
        String contentType = openMetrics ? TextFormat.CONTENT_TYPE_OPENMETRICS_100 : TextFormat.CONTENT_TYPE_004;
        boolean gzip = ContentNegotiation.acceptsGzip(request.header("Accept-Encoding"));
        // The collectors are asked for whole histograms on an OpenMetrics page; keepNamed then keeps what was asked.
        Set<String> collected = openMetrics ? withHistogramFamilies(names) : names;
        if (registry instanceof ScrapeRegistry) {
            ScrapeSize size = ((ScrapeRegistry) registry).sizeOf(collected);
            long bytes = RenderCost.bytes(size, gzip, headroom.compressedOops());
            HeapHeadroom.Decision decision = headroom.admit(bytes, reservation);
            if (!decision.admitted) {
                return refusedForHeap(size, bytes, decision.freeBytes, gzip);
            }
        }

        page.reset();
        Enumeration<MetricFamilySamples> families = families(collected, names, openMetrics);
        if (openMetrics) {
            families = new OpenMetricsHistograms(families);
        }
        if (gzip) {
            GzipStream zip = new GzipStream(page);
            try {
                write(contentType, zip, families);
                zip.finish();
            } finally {
                zip.release();
            }
        } else {
            write(contentType, page, families);
        }
        HttpResponse response = new HttpResponse(200).header("Content-Type", contentType)
                .header("Vary", "Accept, Accept-Encoding");
        if (gzip) {
            response.header("Content-Encoding", "gzip");
        }
        return response.body(page);
    }

    /** The 503 of a scrape the heap cannot spare, counted and logged: what was wrong and what to do. */
    private HttpResponse refusedForHeap(ScrapeSize size, long bytes, long freeBytes, boolean gzip) {
        String problem = "not enough free heap to render " + size.samples + " samples" + (gzip ? " gzipped" : "")
                + " (about " + megabytes(bytes) + " MB; " + megabytes(freeBytes) + " MB free after the last garbage"
                + " collection, of which a scrape may take half)";
        String remedy = "raise -Xmx, ask for fewer metrics with ?name[]=, or lower " + AgentConfig.METRICS_MAX_SERIES;
        rejections.count(Rejections.Reason.HEAP_HEADROOM, "answered 503 to a scrape: " + problem + "; " + remedy);
        return HttpResponse.text(503, "Service Unavailable: " + problem + "; " + remedy + "\n")
                .header("Retry-After", HEAP_RETRY_AFTER_SECONDS);
    }

    private static long megabytes(long bytes) {
        return (bytes + MB - 1) / MB;
    }

    private static void write(String contentType, OutputStream out, Enumeration<MetricFamilySamples> families)
            throws IOException {
        Writer writer = new Utf8Writer(out);
        TextFormat.writeFormat(contentType, writer, families);
        writer.flush();
    }

    /** The families the collectors of {@code collected} give, of which {@link #keepNamed} keeps those {@code names} asks for. */
    private Enumeration<MetricFamilySamples> families(Set<String> collected, Set<String> names, boolean openMetrics) {
        List<MetricFamilySamples> own = Collections.singletonList(rejections.family());
        if (names.isEmpty()) {
            return new Concatenated(registry.metricFamilySamples(), Collections.enumeration(own));
        }
        Enumeration<MetricFamilySamples> selected = registry instanceof ScrapeRegistry
                ? ((ScrapeRegistry) registry).familiesNamed(collected) : registry.metricFamilySamples();
        return new FamiliesKept(new Concatenated(selected, Collections.enumeration(own)),
                family -> keepNamed(family, names, openMetrics));
    }

    /**
     * {@code names} and, for each that may name a histogram's sample ({@code x_count}), the family's own name
     * ({@code x}): collectors that honour a name filter leave out the samples it does not name, such as the
     * buckets of {@code x}.
     */
    static Set<String> withHistogramFamilies(Set<String> names) {
        Set<String> withFamilies = new HashSet<String>(names);
        for (String name : names) {
            for (String suffix : HISTOGRAM_SAMPLE_SUFFIXES) {
                if (name.endsWith(suffix) && name.length() > suffix.length()) {
                    withFamilies.add(name.substring(0, name.length() - suffix.length()));
                }
            }
        }
        return withFamilies;
    }

    static Set<String> requestedNames(String rawQuery) {
        Set<String> names = new HashSet<String>();
        if (rawQuery == null) {
            return names;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            if (decode(pair.substring(0, equals)).equals("name[]")) {
                names.add(decode(pair.substring(equals + 1)));
            }
        }
        return names;
    }

    private static String decode(String encoded) {
        try {
            return URLDecoder.decode(encoded, "UTF-8");
        } catch (UnsupportedEncodingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * A family stays when its name, or its counter name with {@code _total}, was asked for; otherwise
     * only its samples that were asked for stay, and the family only if any do. On an OpenMetrics page a
     * histogram stays whole when any of its samples was asked for: OpenMetrics requires its {@code +Inf}
     * bucket, and a strict parser refused the page of {@code name[]=x_count} (a re-tester). The whole
     * histogram is also what {@link OpenMetricsHistograms} needs to see to leave out the sums it forbids.
     */
    static MetricFamilySamples keepNamed(MetricFamilySamples family, Set<String> names, boolean openMetrics) {
        boolean counterTotal = family.type == Collector.Type.COUNTER && names.contains(family.name + "_total");
        if (names.contains(family.name) || counterTotal) {
            return family;
        }
        boolean wholeHistogram = openMetrics && (family.type == Collector.Type.HISTOGRAM
                || family.type == Collector.Type.GAUGE_HISTOGRAM);
        List<MetricFamilySamples.Sample> samples = new ArrayList<MetricFamilySamples.Sample>();
        for (MetricFamilySamples.Sample sample : family.samples) {
            if (names.contains(sample.name)) {
                if (wholeHistogram) {
                    return family;
                }
                samples.add(sample);
            }
        }
        return samples.isEmpty() ? null
                : new MetricFamilySamples(family.name, family.unit, family.type, family.help, samples);
    }

    private static final class Concatenated implements Enumeration<MetricFamilySamples> {
        private final Enumeration<MetricFamilySamples> first;
        private final Enumeration<MetricFamilySamples> second;

        Concatenated(Enumeration<MetricFamilySamples> first, Enumeration<MetricFamilySamples> second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public boolean hasMoreElements() {
            return first.hasMoreElements() || second.hasMoreElements();
        }

        @Override
        public MetricFamilySamples nextElement() {
            return first.hasMoreElements() ? first.nextElement() : second.nextElement();
        }
    }

    /** A gzip stream whose native deflater is freed even when the page fails half-way. */
    private static final class GzipStream extends GZIPOutputStream {
        GzipStream(OutputStream out) throws IOException {
            super(out, 8 * 1024);
        }

        void release() {
            def.end();
        }
    }
}
