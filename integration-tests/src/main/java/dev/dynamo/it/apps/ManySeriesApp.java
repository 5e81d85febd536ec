package dev.dynamo.it.apps;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;

/**
 * An application whose metrics take most of its heap: {@code N} series of one counter vec (as a
 * re-tester's, 100,000 of them held 28 MB after a collection), and one counter more. Run with a small
 * {@code -Xmx} and {@code -XX:+ExitOnOutOfMemoryError} it runs for good, unless something in its JVM
 * runs out of memory. Answers {@code many series: ready <MB used after a collection> of <MB max>}, then
 * runs until stdin ends and says {@code many series: main returns}.
 *
 * <p>Argument: {@code N}, the series (default 100,000); {@code DYN_METRICS_MAX_SERIES} must allow them.
 */
public final class ManySeriesApp {
    private ManySeriesApp() {
    }

    public static void main(String[] args) throws IOException {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        MetricsRegistry metrics = DistributedRuntime.get().namespace("many").component("series").endpoint("main")
                .metrics();
        metrics.createIntCounter("started", "Times the application started", null).inc();
        CounterVec big = metrics.createCounterVec("big", "Series enough to fill the heap", Arrays.asList("k", "v"),
                Collections.<String, String>emptyMap());
        for (int i = 0; i < series; i++) {
            big.withLabelValues("key-" + i, "some-longer-label-value-" + i).inc();
        }
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        UntilStdinEnds.run("many series: ready " + (runtime.totalMemory() - runtime.freeMemory()) / (1024 * 1024)
                + " of " + runtime.maxMemory() / (1024 * 1024), "many series: main returns");
    }
}
