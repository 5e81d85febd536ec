package dev.dynamo.benchmarks.memory;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.HistogramVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.HTTPServer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The JVM of the memory benchmark. {@code <kind> <type> <series>}: kind {@code none} (measures the
 * heap at start only), {@code dynamo} (series created through the API; run it with the agent) or
 * {@code simpleclient} (a plain registry behind {@code HTTPServer}); type {@code counter} or
 * {@code histogram}. Prints the heap used after a full GC before and after creating the series.
 */
public final class MemoryProbe {
    static final List<Double> BUCKETS = Collections.unmodifiableList(Arrays.asList(
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0));
    private static final String[] LABELS = {"dynamo_namespace", "dynamo_component", "dynamo_endpoint", "id"};
    private static final Map<String, String> NONE = Collections.emptyMap();

    private MemoryProbe() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String kind = args[0];
        boolean histogram = args[1].equals("histogram");
        int series = Integer.parseInt(args[2]);
        Object keep;
        if (kind.equals("none")) {
            keep = null;
            series = 0;
            report(usedAfterGc(), usedAfterGc());
        } else if (kind.equals("dynamo")) {
            MetricsRegistry metrics = DistributedRuntime.get().namespace("bench").component("memory").endpoint("probe")
                    .metrics();
            createDynamo(metrics, "warmup", histogram, 10); // loads the classes, so the delta is the series
            long before = usedAfterGc();
            keep = createDynamo(metrics, "series", histogram, series);
            report(before, usedAfterGc());
        } else {
            CollectorRegistry registry = new CollectorRegistry(true);
            HTTPServer server = new HTTPServer(new InetSocketAddress("127.0.0.1", 0), registry, true);
            createSimpleclient(registry, "warmup", histogram, 10);
            long before = usedAfterGc();
            keep = createSimpleclient(registry, "series", histogram, series);
            report(before, usedAfterGc());
            server.close();
        }
        Reference.reachabilityFence(keep);
    }

    private static Object createDynamo(MetricsRegistry metrics, String name, boolean histogram, int series) {
        List<String> labelNames = Collections.singletonList("id");
        if (histogram) {
            HistogramVec vec = metrics.createHistogramVec(name, "help", labelNames, NONE, BUCKETS);
            for (int i = 0; i < series; i++) {
                vec.withLabelValues(labelValue(i)).observe(0.01);
            }
            return vec;
        }
        CounterVec vec = metrics.createCounterVec(name, "help", labelNames, NONE);
        for (int i = 0; i < series; i++) {
            vec.withLabelValues(labelValue(i)).inc();
        }
        return vec;
    }

    private static Object createSimpleclient(CollectorRegistry registry, String name, boolean histogram, int series) {
        if (histogram) {
            double[] buckets = BUCKETS.stream().mapToDouble(Double::doubleValue).toArray();
            Histogram vec = Histogram.build("dynamo_component_" + name, "help").buckets(buckets).labelNames(LABELS)
                    .register(registry);
            for (int i = 0; i < series; i++) {
                vec.labels("bench", "memory", "probe", labelValue(i)).observe(0.01);
            }
            return vec;
        }
        Counter vec = Counter.build("dynamo_component_" + name, "help").labelNames(LABELS).register(registry);
        for (int i = 0; i < series; i++) {
            vec.labels("bench", "memory", "probe", labelValue(i)).inc();
        }
        return vec;
    }

    private static String labelValue(int i) {
        return String.format("series-%05d", i);
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static void report(long before, long after) {
        System.out.println("HEAP_BEFORE=" + before + " HEAP_AFTER=" + after);
    }
}
