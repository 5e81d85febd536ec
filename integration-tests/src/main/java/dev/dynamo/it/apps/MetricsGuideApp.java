package dev.dynamo.it.apps;

import dev.dynamo.runtime.Component;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.Endpoint;
import dev.dynamo.runtime.Namespace;
import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.Gauge;
import dev.dynamo.runtime.metrics.GaugeVec;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.HistogramVec;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.IntGaugeVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Uses the API the way the metrics developer guide shows, with values the tests know exactly, then
 * waits for a line on stdin (or its end) and returns from {@code main}. With {@code --no-wait} it
 * returns at once; with {@code --failing-check} it also registers a health check named {@code guide}
 * that always fails, so that {@code /health} answers 503 and names it.
 *
 * <p>The values it records are listed in {@code MetricsGuideExpectations} on the test side.
 */
public final class MetricsGuideApp {

    private MetricsGuideApp() {
    }

    public static void main(String[] args) throws IOException {
        boolean wait = !Arrays.asList(args).contains("--no-wait");
        ClassLoader apiLoader = DistributedRuntime.class.getClassLoader();
        System.out.println("guide app: api loaded by " + (apiLoader == null ? "bootstrap" : apiLoader.toString()));

        recordGuideMetrics();
        if (Arrays.asList(args).contains("--failing-check")) {
            DistributedRuntime.get().health().registerCheck("guide", () -> false);
        }

        System.out.println("guide app: metrics recorded");
        System.out.flush();
        if (wait) {
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        System.out.println("guide app: main returns");
    }

    static void recordGuideMetrics() {
        DistributedRuntime runtime = DistributedRuntime.get();
        Namespace namespace = runtime.namespace("guide");
        Component component = namespace.component("backend");
        Endpoint generate = component.endpoint("generate");
        Endpoint embed = component.endpoint("embed");
        MetricsRegistry metrics = generate.metrics();

        IntGauge workers = runtime.metrics().createIntGauge("runtime_workers", "Workers in this process", null);
        workers.set(4);

        Counter namespaceEvents = namespace.metrics().createCounter("namespace_events", "Events seen by the namespace",
                null);
        namespaceEvents.inc(2.5);

        Gauge hitRatio = component.metrics().createGauge("cache.hit-ratio", "Cache hit ratio of the component", null);
        hitRatio.set(0.75);

        Counter handled = metrics.createCounter("handled_requests", "Requests handled",
                Collections.singletonMap("service", "backend"));
        handled.inc();
        handled.inc();
        handled.inc();
        handled.inc(2.5);

        IntCounter tokens = metrics.createIntCounter("tokens_generated_total", "Tokens generated", null);
        tokens.inc();
        tokens.inc(41);
        embed.metrics().createIntCounter("tokens_generated_total", "Tokens generated", null).inc(8);

        Map<String, String> serviceTier = new LinkedHashMap<String, String>();
        serviceTier.put("service", "backend");
        serviceTier.put("tier", "gold");
        Gauge connections = metrics.createGauge("active_connections", "Active connections", serviceTier);
        connections.set(10);
        connections.inc();
        connections.dec();
        connections.dec();
        connections.add(3);
        connections.sub(1.5);

        IntGauge queueDepth = metrics.createIntGauge("queue_depth", "Requests waiting in the queue", null);
        queueDepth.set(7);
        queueDepth.inc();
        queueDepth.add(5);
        queueDepth.sub(2);
        queueDepth.dec();

        Histogram latency = metrics.createHistogram("latency_seconds", "Request latency", null,
                Arrays.asList(0.1, 0.5, 1.0));
        for (double seconds : new double[] {0.05, 0.3, 0.3, 0.7, 2.0}) {
            latency.observe(seconds);
        }

        Histogram payload = metrics.createHistogram("payload_seconds", "Payload time with the default buckets", null,
                null);
        payload.observe(0.02);

        CounterVec byModel = metrics.createCounterVec("requests_by_model", "Requests by model",
                Arrays.asList("model_type", "model_size"), null);
        byModel.withLabelValues("llama", "7b").inc();
        byModel.withLabelValues("llama", "7b").inc();
        byModel.withLabelValues("mistral", "13b").inc(3.0);

        IntCounterVec tokensByModel = metrics.createIntCounterVec("tokens_by_model", "Tokens by model",
                Collections.singletonList("model"), null);
        tokensByModel.withLabelValues("llama").inc(100);

        GaugeVec gpuMemory = metrics.createGaugeVec("gpu_memory_bytes", "GPU memory by device",
                Arrays.asList("gpu_id", "memory_type"), null);
        gpuMemory.withLabelValues("0", "allocated").set(8192);
        gpuMemory.withLabelValues("1", "free").set(1024);

        IntGaugeVec slots = metrics.createIntGaugeVec("slots_in_use", "KV cache slots in use",
                Collections.singletonList("pool"), null);
        slots.withLabelValues("prefill").set(3);
        slots.withLabelValues("decode").inc();

        HistogramVec ttft = metrics.createHistogramVec("ttft_seconds", "Time to first token",
                Collections.singletonList("model"), Collections.singletonMap("region", "eu"),
                Arrays.asList(0.25, 1.0, 4.0));
        ttft.withLabelValues("llama").observe(0.2);
        ttft.withLabelValues("llama").observe(3.0);
    }
}
