package dev.dynamo.it.apps;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.DynamoEndpoint;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.Gauge;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.MetricsRegistry;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives the health API, callback metrics, exposition from the API and the series limit on
 * command: one stdin line {@code <id> <command> [argument]}, answered by one stdout line
 * {@code <id> <result>}.
 *
 * <ul>
 *   <li>{@code serve-annotated} — loads {@link GenerateHandler}, whose {@code @DynamoEndpoint} is {@code generate}</li>
 *   <li>{@code mark-served <endpoint>} / {@code mark-unhealthy <endpoint>} — through the API, in namespace {@code parity}</li>
 *   <li>{@code not-ready} / {@code ready} — {@code health().setReady(false|true)}</li>
 *   <li>{@code hang-check} / {@code drop-check} — a health check {@code stuck} that never returns (300 ms timeout)</li>
 *   <li>{@code callbacks} — callback gauge, counter, labelled gauge, update callback, and one that throws;
 *       {@code bump} changes their values</li>
 *   <li>{@code fixed-metrics} — metrics of namespace {@code parity} with fixed values</li>
 *   <li>{@code expfmt <file>} — writes {@code namespace("parity").metrics().prometheusExpfmt()} to the file</li>
 *   <li>{@code flood <n>} — {@code n} distinct label values into one counter vec</li>
 *   <li>{@code flood-names <n>} — {@code n} counters, each under a name of its own made from a number</li>
 *   <li>{@code heap} — used heap in MB after a full GC</li>
 * </ul>
 */
public final class ParityApp {
    private final AtomicLong queue = new AtomicLong(3);
    private final AtomicLong hits = new AtomicLong(10);
    private final CountDownLatch never = new CountDownLatch(1);

    public static void main(String[] args) throws Exception {
        new ParityApp().run();
    }

    private void run() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ClassLoader apiLoader = DistributedRuntime.class.getClassLoader();
        System.out.println("parity app ready, api loaded by "
                + (apiLoader == null ? "the bootstrap loader" : apiLoader.getClass().getSimpleName()));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[1].equals("exit")) {
                break;
            }
            String result;
            try {
                result = execute(words);
            } catch (Exception failed) {
                result = "failed " + failed;
            }
            System.out.println(words[0] + " " + result);
            System.out.flush();
        }
    }

    private static MetricsRegistry parity() {
        return DistributedRuntime.get().namespace("parity").metrics();
    }

    private String execute(String[] command) throws Exception {
        switch (command[1]) {
            case "serve-annotated":
                Class.forName(GenerateHandler.class.getName(), true, ParityApp.class.getClassLoader());
                return "loaded";
            case "mark-served":
                DistributedRuntime.get().namespace("parity").component("worker").endpoint(command[2]).markServed();
                return "served";
            case "mark-unhealthy":
                DistributedRuntime.get().namespace("parity").component("worker").endpoint(command[2])
                        .setHealthy(false);
                return "unhealthy";
            case "not-ready":
                DistributedRuntime.get().health().setReady(false);
                return "not ready";
            case "ready":
                DistributedRuntime.get().health().setReady(true);
                return "ready";
            case "hang-check":
                DistributedRuntime.get().health().registerCheck("stuck", 300, TimeUnit.MILLISECONDS, () -> {
                    never.await();
                    return true;
                });
                return "registered";
            case "drop-check":
                return "dropped=" + DistributedRuntime.get().health().unregisterCheck("stuck");
            case "callbacks":
                callbacks();
                return "registered";
            case "bump":
                queue.addAndGet(4);
                hits.addAndGet(5);
                return "bumped";
            case "fixed-metrics":
                fixedMetrics();
                return "created";
            case "expfmt":
                Files.write(Paths.get(command[2]), parity().prometheusExpfmt().getBytes(StandardCharsets.UTF_8));
                return "written";
            case "flood":
                return flood(Integer.parseInt(command[2]));
            case "flood-names":
                return floodNames(Integer.parseInt(command[2]));
            case "heap":
                return "heap " + usedHeapMegabytes();
            default:
                return "unknown command";
        }
    }

    private void callbacks() {
        MetricsRegistry metrics = DistributedRuntime.get().namespace("callbacks").metrics();
        metrics.createGaugeWithCallback("queue_length", "Requests waiting", null, queue::get);
        metrics.createCounterWithCallback("cache_hits", "Cache hits", null, hits::get);
        metrics.createGaugeVecWithCallback("cache_entries", "Entries per cache", Arrays.asList("cache"), null, () -> {
            Map<List<String>, Double> entries = new LinkedHashMap<List<String>, Double>();
            entries.put(Collections.singletonList("tokens"), (double) queue.get() * 10);
            entries.put(Collections.singletonList("prompts"), (double) hits.get() * 10);
            return entries;
        });
        Gauge updated = metrics.createGauge("updated_by_callback", "Set by an update callback", null);
        metrics.addUpdateCallback(() -> updated.set(queue.get() + hits.get()));
        metrics.createGaugeWithCallback("broken", "A callback that always throws", null, () -> {
            throw new IllegalStateException("broken on purpose");
        });
    }

    private static void fixedMetrics() {
        MetricsRegistry endpoint = DistributedRuntime.get().namespace("parity").component("worker")
                .endpoint("generate").metrics();
        endpoint.createIntCounter("tokens", "Tokens \\ generated\nso far", Collections.singletonMap("model", "llama"))
                .inc(128);
        endpoint.createGauge("temperature", "Temperature", Collections.singletonMap("unit", "\"celsius\""))
                .set(-2.5);
        Histogram latency = endpoint.createHistogram("ttft_seconds", "Time to first token", null,
                Arrays.asList(0.01, 0.1, 1.0));
        latency.observe(0.05);
        latency.observe(2);
        endpoint.createHistogramVec("latency_by_model", "Latency by model", Arrays.asList("model"), null, null)
                .withLabelValues("7b").observe(0.3);
        parity().createGaugeWithCallback("fixed_callback", "A callback with a fixed value", null, () -> 42);
        parity().createCounterVecWithCallback("fixed_callback_vec", "Callback counters", Arrays.asList("k"), null,
                () -> Collections.singletonMap(Collections.singletonList("v"), 7.0));
    }

    private static String flood(int count) {
        CounterVec vec = DistributedRuntime.get().namespace("flood").metrics()
                .createCounterVec("requests_by_user", "Requests by user", Arrays.asList("user"), null);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            vec.withLabelValues("user-" + i).inc();
        }
        return "flooded in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
    }

    /** What an application that makes metric names from data does: a counter per order id. */
    private static String floodNames(int count) {
        MetricsRegistry metrics = DistributedRuntime.get().namespace("flood").metrics();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            metrics.createCounter("order_" + i + "_items", "Items of one order", null).inc(2);
        }
        return "flooded in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
    }

    private static long usedHeapMegabytes() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024);
    }

    /** Loaded only on command, so that the agent instruments it then. */
    public static final class GenerateHandler {
        @DynamoEndpoint(namespace = "parity", component = "worker", endpoint = "generate")
        public static String generate(String prompt) {
            return prompt;
        }
    }
}
