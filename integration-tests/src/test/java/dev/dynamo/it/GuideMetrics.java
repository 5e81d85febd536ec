package dev.dynamo.it;

import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Labels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code MetricsGuideApp} records, as it must appear on {@code /metrics}. */
final class GuideMetrics {
    static final String READY_LINE = "guide app: metrics recorded";
    static final String LAST_LINE = "guide app: main returns";
    static final String MAIN_CLASS = "dev.dynamo.it.apps.MetricsGuideApp";

    private static final Map<String, String> GENERATE = Labels.endpoint("guide", "backend", "generate");

    private GuideMetrics() {
    }

    /** Whether the page shows the guide's metrics at all (the last one the app records). */
    static boolean present(Exposition page) {
        return page.has("dynamo_component_ttft_seconds_count", Labels.with(GENERATE, "region", "eu", "model", "llama"));
    }

    static void assertOnPage(Exposition page) {
        // Runtime, namespace and component levels: only the automatic labels of that level.
        assertSample(page, "gauge", "dynamo_component_runtime_workers", Labels.of(), 4);
        assertSample(page, "counter", "dynamo_component_namespace_events_total",
                Labels.of("dynamo_namespace", "guide"), 2.5);
        assertSample(page, "gauge", "dynamo_component_cache_hit_ratio",
                Labels.of("dynamo_namespace", "guide", "dynamo_component", "backend"), 0.75);

        // A counter created as "handled_requests" is exposed with the _total suffix, with its constant label.
        assertSample(page, "counter", "dynamo_component_handled_requests_total",
                Labels.with(GENERATE, "service", "backend"), 5.5);
        assertEquals("Requests handled", page.help("dynamo_component_handled_requests_total"));

        // One family, two series: the same name created under two endpoints.
        assertSample(page, "counter", "dynamo_component_tokens_generated_total", GENERATE, 42);
        assertEquals(8, page.value("dynamo_component_tokens_generated_total",
                Labels.endpoint("guide", "backend", "embed")));
        assertEquals(2, page.samples("dynamo_component_tokens_generated_total").size());

        assertSample(page, "gauge", "dynamo_component_active_connections",
                Labels.with(GENERATE, "service", "backend", "tier", "gold"), 10.5);
        assertSample(page, "gauge", "dynamo_component_queue_depth", GENERATE, 10);

        assertHistogram(page, "dynamo_component_latency_seconds", GENERATE,
                List.of("0.1", "0.5", "1.0", "+Inf"), new double[] {1, 3, 4, 5}, 3.35);
        assertHistogram(page, "dynamo_component_payload_seconds", GENERATE,
                List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"),
                new double[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0.02);

        assertSample(page, "counter", "dynamo_component_requests_by_model_total",
                Labels.with(GENERATE, "model_type", "llama", "model_size", "7b"), 2);
        assertEquals(3, page.value("dynamo_component_requests_by_model_total",
                Labels.with(GENERATE, "model_type", "mistral", "model_size", "13b")));
        assertSample(page, "counter", "dynamo_component_tokens_by_model_total",
                Labels.with(GENERATE, "model", "llama"), 100);
        assertSample(page, "gauge", "dynamo_component_gpu_memory_bytes",
                Labels.with(GENERATE, "gpu_id", "0", "memory_type", "allocated"), 8192);
        assertEquals(1024, page.value("dynamo_component_gpu_memory_bytes",
                Labels.with(GENERATE, "gpu_id", "1", "memory_type", "free")));
        assertSample(page, "gauge", "dynamo_component_slots_in_use", Labels.with(GENERATE, "pool", "prefill"), 3);
        assertEquals(1, page.value("dynamo_component_slots_in_use", Labels.with(GENERATE, "pool", "decode")));

        Map<String, String> ttft = Labels.with(GENERATE, "region", "eu", "model", "llama");
        assertHistogram(page, "dynamo_component_ttft_seconds", ttft, List.of("0.25", "1.0", "4.0", "+Inf"),
                new double[] {1, 1, 2, 2}, 3.2);
        // Automatic labels first, then constant labels, then variable labels.
        assertEquals(List.of("dynamo_namespace", "dynamo_component", "dynamo_endpoint", "region", "model"),
                new ArrayList<>(page.find("dynamo_component_ttft_seconds_count", ttft).labels().keySet()));

        assertTrue(page.value("dynamo_component_uptime_seconds", Labels.of()) > 0);
        for (String name : page.sampleNames()) {
            assertFalse(name.endsWith("_created"), "a _created series is exposed: " + name);
        }
    }

    private static void assertSample(Exposition page, String type, String name, Map<String, String> labels,
            double expected) {
        assertEquals(expected, page.value(name, labels), name + labels);
        assertEquals(type, page.type(name), "# TYPE of " + name);
    }

    private static void assertHistogram(Exposition page, String name, Map<String, String> labels, List<String> edges,
            double[] cumulativeCounts, double sum) {
        assertEquals("histogram", page.type(name), "# TYPE of " + name);
        assertEquals(edges, page.bucketEdges(name, labels), "bucket edges of " + name + labels);
        for (int i = 0; i < edges.size(); i++) {
            assertEquals(cumulativeCounts[i], page.value(name + "_bucket", Labels.with(labels, "le", edges.get(i))),
                    name + " bucket le=" + edges.get(i));
        }
        assertEquals(cumulativeCounts[edges.size() - 1], page.value(name + "_count", labels), name + "_count");
        assertEquals(sum, page.value(name + "_sum", labels), 1e-9, name + "_sum");
    }
}
