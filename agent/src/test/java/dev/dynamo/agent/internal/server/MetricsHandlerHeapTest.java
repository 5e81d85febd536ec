package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.export.ApiMetricsCollector;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scrape the free heap cannot spare is answered 503 before anything is collected (under
 * {@code -XX:+ExitOnOutOfMemoryError} the OutOfMemoryError of its render ended the application), and one
 * of a few families still renders. The heap figures are the test's.
 */
class MetricsHandlerHeapTest {
    private static final long MB = 1024 * 1024;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final ByteArrayOutputStream agentLog = new ByteArrayOutputStream();
    private final HeapHeadroomTest.Figures figures = new HeapHeadroomTest.Figures();
    private final Rejections rejections = new Rejections();
    private MetricsHandler handler;
    private String big;
    private String small;

    @BeforeEach
    void createALargeFamilyAndASmallOne() throws Exception {
        AgentLog.redirect(new PrintStream(agentLog, true, "UTF-8"));
        int n = SEQUENCE.incrementAndGet();
        big = "heap_guard_big_" + n;
        small = "heap_guard_small_" + n;
        MetricsRegistry metrics = DistributedRuntime.get().namespace("heap_guard_" + n).metrics();
        CounterVec vec = metrics.createCounterVec(big, "Many series", Arrays.asList("key"),
                Collections.<String, String>emptyMap());
        vec.setMaxSeries(20_000);
        for (int i = 0; i < 20_000; i++) {
            vec.withLabelValues("key-" + i).inc();
        }
        metrics.createCounter(small, "One series", Collections.<String, String>emptyMap()).inc();
        ScrapeRegistry registry = new ScrapeRegistry();
        registry.registerNamedByPrefix(new ApiMetricsCollector(PrimaryApi.locate()), "dynamo_");
        handler = new MetricsHandler(registry, () -> { }, rejections, new HeapHeadroom(figures));
        // 4 MB free after the last collection: a scrape may take 2 MB, less than 20,000 samples take.
        figures.max = 64 * MB;
        figures.last = new HeapHeadroom.Collection(1_000, 60 * MB);
        figures.usedNow = 62 * MB;
    }

    @AfterEach
    void restoreTheLog() {
        AgentLog.redirect(null);
    }

    private HttpResponse scrape(String query, String encoding) throws Exception {
        Map<String, String> headers = new HashMap<String, String>();
        if (encoding != null) {
            headers.put("accept-encoding", encoding);
        }
        return handler.render(new HttpRequest("GET", "/metrics", query, true, headers, 0), new PageBuffer(),
                handler.reservation());
    }

    /** The whole body: a slice of a rendered page is one of its chunks at most. */
    private static String body(HttpResponse response) {
        StringBuilder body = new StringBuilder();
        for (int position = 0; position < response.bodyLength(); ) {
            ByteBuffer slice = response.bodySlice(position, response.bodyLength() - position);
            body.append(new String(slice.array(), slice.position(), slice.remaining(), StandardCharsets.UTF_8));
            position += slice.remaining();
        }
        return body.toString();
    }

    private static String head(HttpResponse response) {
        return new String(response.head(true, Collections.<String>emptyList()), StandardCharsets.ISO_8859_1);
    }

    @Test
    void answers503SayingWhatWasWrongAndWhatToDoWhenTheFreeHeapCannotSpareThePage() throws Exception {
        HttpResponse plain = scrape(null, null);
        HttpResponse gzip = scrape(null, "gzip");

        for (HttpResponse refused : Arrays.asList(plain, gzip)) {
            assertEquals(503, refused.status());
            String body = body(refused);
            assertTrue(body.startsWith("Service Unavailable: not enough free heap to render "), body);
            assertTrue(body.contains("4 MB free after the last garbage collection, of which a scrape may take half"),
                    body);
            assertTrue(body.contains("raise -Xmx, ask for fewer metrics with ?name[]=, or lower DYN_METRICS_MAX_SERIES"),
                    body);
            assertEquals(1, body.split("\n").length, "one line: " + body);
            assertTrue(head(refused).contains("Retry-After: " + MetricsHandler.HEAP_RETRY_AFTER_SECONDS + "\r\n"),
                    head(refused));
        }
        assertEquals(2, rejections.count(Rejections.Reason.HEAP_HEADROOM));
        String log = CapturedLog.text(agentLog);
        assertEquals(1, log.split("WARN", -1).length - 1, log);
        assertTrue(log.contains("answered 503 to a scrape: not enough free heap")
                && log.contains("reason=\"heap_headroom\""), log);
    }

    @Test
    void rendersAScrapeOfASmallFamilyEvenBesideALargeOne() throws Exception {
        HttpResponse response = scrape("name[]=dynamo_component_" + small + "_total", null);

        assertEquals(200, response.status());
        assertTrue(body(response).contains("dynamo_component_" + small + "_total{"), body(response));
        assertEquals(0, rejections.count(Rejections.Reason.HEAP_HEADROOM));
    }

    @Test
    void weighsAScrapeOfTheLargeFamilyByNameAsWhatItRenders() throws Exception {
        assertEquals(503, scrape("name[]=dynamo_component_" + big + "_total", null).status());
    }

    @Test
    void rendersTheWholePageWhenTheHeapCanSpareIt() throws Exception {
        figures.max = 1024 * MB;

        HttpResponse response = scrape(null, null);

        assertEquals(200, response.status());
        assertTrue(body(response).contains("dynamo_component_" + big + "_total{"), "the page");
    }
}
