package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.HistogramVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpositionSizeTest {
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    private final MetricStore store = new MetricStore();
    private final MetricsRegistry metrics = new ScopedMetricsRegistry(store, Arrays.asList("ns", "comp", "ep"));

    private ExpositionSize measured() {
        ExpositionSize size = new ExpositionSize();
        store.measure(name -> true, size);
        return size;
    }

    private ExpositionSize measured(String family) {
        ExpositionSize size = new ExpositionSize();
        store.measure(name -> name.equals("dynamo_component_" + family), size);
        return size;
    }

    private static int samplesOf(List<FamilySnapshot> families) {
        int samples = 0;
        for (FamilySnapshot family : families) {
            samples += family.samples().size();
        }
        return samples;
    }

    @Test
    void countsEverySampleACollectionGivesAndAtLeastTheBytesOfTheirLines() {
        CounterVec requests = metrics.createCounterVec("http_requests", "Requests", Arrays.asList("route", "status"),
                Collections.singletonMap("region", "eu"));
        requests.setMaxSeries(10_000);
        for (int i = 0; i < 1000; i++) {
            // Escaped and multi-byte values take more bytes than characters on the page.
            requests.withLabelValues("/r\u00e9sum\u00e9/\u4e2d" + i, i % 2 == 0 ? "say \"ok\"\n" : "200").inc(i);
        }
        HistogramVec latency = metrics.createHistogramVec("latency_seconds", "Latency", Arrays.asList("route"),
                NO_LABELS, null);
        for (int i = 0; i < 50; i++) {
            latency.withLabelValues("/route/" + i).observe(i / 10.0);
        }
        metrics.createHistogram("queue_seconds", "Queue", NO_LABELS, Arrays.asList(0.5, 1.0)).observe(0.7);
        metrics.createGauge("load", "Load", NO_LABELS).set(-1.7976931348623157E308);
        Map<List<String>, Double> entries = new LinkedHashMap<List<String>, Double>();
        for (int i = 0; i < 20; i++) {
            entries.put(Arrays.asList("cache-" + i), (double) i);
        }
        metrics.createGaugeVecWithCallback("cache_entries", "Entries", Arrays.asList("cache"), NO_LABELS,
                () -> entries);
        store.snapshot();

        List<FamilySnapshot> collected = store.snapshot();
        ExpositionSize size = measured();

        // And one for the folded label sets of each vec.
        assertEquals(1000 + 50 * 14 + 5 + 1 + 20 + 2, samplesOf(collected));
        assertEquals(samplesOf(collected), size.samples);
        long text = TextExposition.write(collected).getBytes(StandardCharsets.UTF_8).length;
        assertTrue(size.bytes >= text, size.bytes + " bytes measured, " + text + " written");
        assertTrue(size.bytes <= text * 3 / 2, size.bytes + " bytes measured, " + text + " written");
    }

    @Test
    void followsTheSeriesAVecGainsAndLoses() {
        CounterVec counter = metrics.createCounterVec("jobs", "Jobs", Arrays.asList("job"), NO_LABELS);
        counter.withLabelValues("a").inc();
        counter.withLabelValues("b").inc();
        long twoSeries = measured("jobs").bytes;

        counter.remove("a");

        assertEquals(1, measured("jobs").samples);
        assertTrue(measured("jobs").bytes < twoSeries);
        counter.remove("b");
        assertEquals(0, measured("jobs").samples);
    }

    @Test
    void countsOnlyTheFamiliesTheFilterKeeps() {
        metrics.createCounterVec("kept", "Kept", Arrays.asList("k"), NO_LABELS).withLabelValues("v").inc();
        CounterVec other = metrics.createCounterVec("left_out", "Left out", Arrays.asList("k"), NO_LABELS);
        for (int i = 0; i < 100; i++) {
            other.withLabelValues("v" + i).inc();
        }
        ExpositionSize size = new ExpositionSize();

        store.measure(name -> name.endsWith("_kept"), size);

        assertEquals(1, size.samples);
        assertEquals(1, samplesOf(store.snapshot(name -> name.endsWith("_kept"))));
    }

    @Test
    void countsTheOverflowSeriesOfAFullFamily() {
        CounterVec counter = metrics.createCounterVec("full", "Full", Arrays.asList("id"), NO_LABELS);
        counter.setMaxSeries(2);
        for (int i = 0; i < 5; i++) {
            counter.withLabelValues("id-" + i).inc();
        }

        assertEquals(samplesOf(store.snapshot()), measured().samples);
    }
}
