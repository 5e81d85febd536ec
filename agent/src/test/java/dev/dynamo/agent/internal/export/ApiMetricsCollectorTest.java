package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.server.ScrapeSize;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.ExportBridge;
import dev.dynamo.runtime.internal.bridge.SnapshotFormat;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Predicate;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ApiMetricsCollectorTest {
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    private static MetricFamilySamples family(List<MetricFamilySamples> families, String name) {
        for (MetricFamilySamples family : families) {
            if (family.name.equals(name)) {
                return family;
            }
        }
        return fail("no family " + name);
    }

    @Test
    void exposesTheApiMetricsWithTheirTypesHelpAndSamples() throws Exception {
        String ns = "collector_test";
        MetricsRegistry metrics = DistributedRuntime.get().namespace(ns).metrics();
        metrics.createCounter("collector_requests", "Requests", NO_LABELS).inc(2);
        metrics.createIntGauge("collector_queued", "Queued", NO_LABELS).set(-3);
        metrics.createHistogram("collector_latency", "Latency", NO_LABELS, Arrays.asList(1.0)).observe(0.5);

        List<MetricFamilySamples> families = new ApiMetricsCollector(PrimaryApi.locate()).collect();

        MetricFamilySamples counter = family(families, "dynamo_component_collector_requests");
        assertEquals(Collector.Type.COUNTER, counter.type);
        assertEquals("Requests", counter.help);
        assertEquals(1, counter.samples.size());
        MetricFamilySamples.Sample sample = counter.samples.get(0);
        assertEquals("dynamo_component_collector_requests_total", sample.name);
        assertEquals(Arrays.asList("dynamo_namespace"), sample.labelNames);
        assertEquals(Arrays.asList(ns), sample.labelValues);
        assertEquals(2.0, sample.value);
        assertEquals(Collector.Type.GAUGE, family(families, "dynamo_component_collector_queued").type);
        assertEquals(-3.0, family(families, "dynamo_component_collector_queued").samples.get(0).value);
        assertEquals(Collector.Type.HISTOGRAM, family(families, "dynamo_component_collector_latency").type);
        assertEquals(4, family(families, "dynamo_component_collector_latency").samples.size());
    }

    /** A scrape of a few samples does not hold every other family of the API in the heap. */
    @Test
    void collectsOnlyTheFamiliesThatCanHaveTheSamplesAskedFor() throws Exception {
        MetricsRegistry metrics = DistributedRuntime.get().namespace("collector_filtered").metrics();
        metrics.createCounter("collector_filtered_asked", "Asked", NO_LABELS).inc();
        metrics.createHistogram("collector_filtered_latency", "Latency", NO_LABELS, Arrays.asList(1.0)).observe(0.5);
        ApiMetricsCollector collector = new ApiMetricsCollector(PrimaryApi.locate());

        List<MetricFamilySamples> counter = collector.collect(
                name -> name.equals("dynamo_component_collector_filtered_asked_total"));
        List<MetricFamilySamples> buckets = collector.collect(
                name -> name.equals("dynamo_component_collector_filtered_latency_bucket"));

        assertEquals(1, counter.size());
        assertEquals("dynamo_component_collector_filtered_asked", counter.get(0).name);
        assertEquals(1, buckets.size());
        assertEquals(2, buckets.get(0).samples.size(), "the buckets only, as simpleclient filters");
    }

    /**
     * A callback that fails leaves its family without samples: on a page filtered to it, the family is shown as
     * on the whole page. Before, simpleclient's filter dropped it, and a scrape in parts showed no trace of the
     * metric (a re-tester).
     */
    @Test
    void aFamilyWithoutSamplesStaysWhenAskedFor() throws Exception {
        MetricsRegistry metrics = DistributedRuntime.get().namespace("collector_empty").metrics();
        metrics.createGaugeWithCallback("collector_empty_pool", "Pool", NO_LABELS, () -> {
            throw new IllegalStateException("pool closed");
        });
        ApiMetricsCollector collector = new ApiMetricsCollector(PrimaryApi.locate());

        List<MetricFamilySamples> asked = collector.collect(name -> name.equals("dynamo_component_collector_empty_pool"));
        List<MetricFamilySamples> other = collector.collect(name -> name.equals("dynamo_component_collector_other"));

        assertEquals(1, asked.size(), asked.toString());
        assertEquals("dynamo_component_collector_empty_pool", asked.get(0).name);
        assertEquals(Collector.Type.GAUGE, asked.get(0).type);
        assertTrue(asked.get(0).samples.isEmpty(), asked.toString());
        assertTrue(other.stream().noneMatch(family -> family.name.equals("dynamo_component_collector_empty_pool")));
    }

    @Test
    void tellsTheSizeOfACollectionBeforeCollecting() throws Exception {
        MetricsRegistry metrics = DistributedRuntime.get().namespace("collector_sized").metrics();
        metrics.createHistogram("collector_sized_latency", "Latency", NO_LABELS, Arrays.asList(1.0)).observe(0.5);
        ApiMetricsCollector collector = new ApiMetricsCollector(PrimaryApi.locate());
        Predicate<String> latency = name -> name.startsWith("dynamo_component_collector_sized_latency");

        ScrapeSize size = collector.sizeOf(latency);

        assertEquals(4, size.samples(), "two buckets, the count and the sum");
        assertTrue(size.textBytes() > 4 * "dynamo_component_collector_sized_latency_bucket".length());
        assertEquals(4, collector.collect(latency).get(0).samples.size());
        assertTrue(collector.sizeOf(null).samples() > size.samples(), "every family");
    }

    @Test
    void letsASimpleclientRegistryReadTheApiMetrics() throws Exception {
        DistributedRuntime.get().metrics().createGauge("collector_registry_gauge", "Gauge", NO_LABELS).set(4.5);
        CollectorRegistry registry = new CollectorRegistry();
        registry.register(new ApiMetricsCollector(PrimaryApi.locate()));

        Double value = registry.getSampleValue("dynamo_component_collector_registry_gauge");

        assertNotNull(value);
        assertEquals(4.5, value);
    }

    @Test
    void readsSnapshotsDirectlyExactlyAsItDecodesThem() throws Exception {
        MetricsRegistry metrics = DistributedRuntime.get().namespace("collector_paths").component("c").metrics();
        metrics.createCounterVec("collector_paths_total", "Paths", Arrays.asList("kind"), NO_LABELS)
                .withLabelValues("direct").inc(3);
        metrics.createHistogram("collector_paths_latency", "Latency", NO_LABELS, Arrays.asList(0.1, 1.0)).observe(0.3);
        assertTrue(PrimaryApi.locate().isLinked(), "the agent's tests link to the API they export");

        List<MetricFamilySamples> direct = ApiMetricsCollector.fromSnapshots(ExportBridge.collect());
        List<MetricFamilySamples> decoded = new ApiMetricsCollector(PrimaryApi.locate())
                .fromEncoded(ExportBridge.collectEncoded());

        assertEquals(describe(decoded), describe(direct));
    }

    /** Everything TextFormat writes, in order; uptime is left out as it changes between the two reads. */
    private static String describe(List<MetricFamilySamples> families) {
        StringBuilder out = new StringBuilder();
        for (MetricFamilySamples family : families) {
            if (family.name.endsWith("uptime_seconds")) {
                continue;
            }
            out.append(family.name).append(' ').append(family.type).append(' ').append(family.help).append('\n');
            for (MetricFamilySamples.Sample sample : family.samples) {
                out.append(sample.name).append(sample.labelNames).append(sample.labelValues).append(' ')
                        .append(sample.value).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void decodesEveryExpositionType() throws Exception {
        ApiMetricsCollector collector = new ApiMetricsCollector(PrimaryApi.locate());
        List<MetricFamilySamples> decoded = collector.fromEncoded(Arrays.asList(encoded("COUNTER"),
                encoded("GAUGE"), encoded("HISTOGRAM")));

        assertEquals(Collector.Type.COUNTER, decoded.get(0).type);
        assertEquals(Collector.Type.GAUGE, decoded.get(1).type);
        assertEquals(Collector.Type.HISTOGRAM, decoded.get(2).type);
    }

    private static Object[] encoded(String type) {
        return SnapshotFormat.family("x", type, "help",
                new Object[] {SnapshotFormat.sample("x", new String[] {"k"}, new String[] {"v"}, 1.0)});
    }

    @Test
    void leavesOutFamiliesOfANewerSnapshotFormatWithOneWarningAndKeepsTheRest() throws Exception {
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        AgentLog.redirect(new java.io.PrintStream(lines, true));
        try {
            ApiMetricsCollector collector = new ApiMetricsCollector(PrimaryApi.locate());
            Object[] newer = {"x_newer", "GAUGE", "help", "another layout", SnapshotFormat.VERSION + 1};

            List<MetricFamilySamples> first = collector.fromEncoded(Arrays.asList(newer, encoded("GAUGE"), newer));
            collector.fromEncoded(Collections.singletonList(newer));

            assertEquals(1, first.size());
            assertEquals("x", first.get(0).name);
            String written = new String(lines.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(1, written.split("format version", -1).length - 1, written);
        } finally {
            AgentLog.redirect(null);
        }
    }

    /** The API's own text rendering must equal what the agent serves for the same metrics. */
    @Test
    void theApisExpositionIsByteIdenticalToTheAgentsPage() throws Exception {
        String ns = "parity_test";
        MetricsRegistry metrics = DistributedRuntime.get().namespace(ns).component("comp").endpoint("ep").metrics();
        metrics.createCounter("parity_requests", "Requests \\ with\nnewline", NO_LABELS).inc(2.5);
        metrics.createIntGauge("parity_queued", "Queued", Collections.singletonMap("q", "a\"b\\c\nd")).set(-3);
        metrics.createGauge("parity_nan", "NaN", NO_LABELS).set(Double.NaN);
        metrics.createGauge("parity_inf", "Inf", NO_LABELS).set(Double.NEGATIVE_INFINITY);
        metrics.createHistogram("parity_latency", "Latency", NO_LABELS, Arrays.asList(1e-3 * 7, 0.1, 2.0))
                .observe(0.5);
        metrics.createHistogramVec("parity_latency_vec", "Latency by model", Arrays.asList("model"), NO_LABELS, null)
                .withLabelValues("llama").observe(12);
        metrics.createGaugeWithCallback("parity_callback", "Callback", NO_LABELS, () -> 1e21);
        metrics.createCounterVecWithCallback("parity_callback_vec", "Callback vec", Arrays.asList("k"), NO_LABELS,
                () -> Collections.singletonMap(Arrays.asList("v"), 3.0));
        metrics.createGaugeVec("parity_empty", "Empty", Arrays.asList("k"), NO_LABELS);

        String fromApi = DistributedRuntime.get().namespace(ns).metrics().prometheusExpfmt();
        String linked = render(ApiMetricsCollector.fromSnapshots(ExportBridge.collect()));
        List<MetricFamilySamples> decoded = new ApiMetricsCollector(PrimaryApi.locate())
                .fromEncoded(ExportBridge.collectEncoded());

        assertTrue(fromApi.contains("dynamo_component_parity_callback_vec_total{"), fromApi);
        assertEquals(fromApi, render(onlyParity(ApiMetricsCollector.fromSnapshots(ExportBridge.collect()))));
        assertEquals(fromApi, render(onlyParity(decoded)));
        assertTrue(linked.contains(fromApi), "the agent's whole page holds the same block");
    }

    private static List<MetricFamilySamples> onlyParity(List<MetricFamilySamples> families) {
        List<MetricFamilySamples> kept = new java.util.ArrayList<MetricFamilySamples>();
        for (MetricFamilySamples family : families) {
            if (family.name.startsWith("dynamo_component_parity_")) {
                kept.add(family);
            }
        }
        return kept;
    }

    private static String render(List<MetricFamilySamples> families) throws java.io.IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        io.prometheus.client.exporter.common.TextFormat.write004(out, Collections.enumeration(families));
        return out.toString();
    }
}
