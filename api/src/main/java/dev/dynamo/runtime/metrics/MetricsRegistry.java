package dev.dynamo.runtime.metrics;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Creates metrics at one place of the hierarchy. Every metric is named
 * {@code dynamo_component_<sanitized name>} and carries the automatic labels of that place
 * ({@code dynamo_namespace}, {@code dynamo_component}, {@code dynamo_endpoint}), then its constant
 * labels, then its variable labels.
 *
 * <pre>{@code
 * MetricsRegistry metrics = DistributedRuntime.get().namespace("ns").component("comp").endpoint("ep").metrics();
 * Counter requests = metrics.createCounter("requests", "Requests served", Collections.emptyMap());
 * }</pre>
 *
 * <p>Creating a metric again with the same name, type, labels and buckets at the same place
 * returns the existing metric. Every method throws {@link IllegalArgumentException}, and
 * registers nothing, when its input is invalid or conflicts with a metric created before.
 * {@code constLabels} may be null for none.
 */
public interface MetricsRegistry {

    /** Default histogram buckets: {@code 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}. */
    List<Double> DEFAULT_BUCKETS = Collections.unmodifiableList(
            Arrays.asList(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0));

    /** The automatic labels that metrics created here carry, in order. */
    Map<String, String> getAutoLabels();

    /** Creates (or returns) a floating-point counter. */
    Counter createCounter(String name, String help, Map<String, String> constLabels);

    /** Creates (or returns) an integer counter. */
    IntCounter createIntCounter(String name, String help, Map<String, String> constLabels);

    /** Creates (or returns) a floating-point gauge. */
    Gauge createGauge(String name, String help, Map<String, String> constLabels);

    /** Creates (or returns) an integer gauge. */
    IntGauge createIntGauge(String name, String help, Map<String, String> constLabels);

    /**
     * Creates (or returns) a histogram.
     *
     * @param buckets strictly increasing finite upper bounds ({@code +Inf} is implicit), or null
     *                for {@link #DEFAULT_BUCKETS}
     */
    Histogram createHistogram(String name, String help, Map<String, String> constLabels, List<Double> buckets);

    /** Creates (or returns) floating-point counters told apart by {@code labelNames}. */
    CounterVec createCounterVec(String name, String help, List<String> labelNames, Map<String, String> constLabels);

    /** Creates (or returns) integer counters told apart by {@code labelNames}. */
    IntCounterVec createIntCounterVec(String name, String help, List<String> labelNames,
            Map<String, String> constLabels);

    /** Creates (or returns) floating-point gauges told apart by {@code labelNames}. */
    GaugeVec createGaugeVec(String name, String help, List<String> labelNames, Map<String, String> constLabels);

    /** Creates (or returns) integer gauges told apart by {@code labelNames}. */
    IntGaugeVec createIntGaugeVec(String name, String help, List<String> labelNames, Map<String, String> constLabels);

    /**
     * Creates (or returns) histograms told apart by {@code labelNames}.
     *
     * @param buckets strictly increasing finite upper bounds, or null for {@link #DEFAULT_BUCKETS}
     */
    HistogramVec createHistogramVec(String name, String help, List<String> labelNames,
            Map<String, String> constLabels, List<Double> buckets);

    /**
     * Creates a gauge whose value {@code value} gives at every scrape, e.g. the length of a queue.
     * The callback runs on a metrics thread, at most once at a time, and should be quick: while it
     * throws, or has not returned within half a second, its series is left out of the page (the
     * first failure is logged) and nothing else is.
     *
     * <pre>{@code
     * metrics.createGaugeWithCallback("queue_length", "Requests waiting", null, queue::size);
     * }</pre>
     *
     * <p>Created again at the same place with a supplier of another class loader (a redeployed
     * application's, when this API is on a parent loader or the agent's), that supplier replaces
     * the earlier one in the same series.
     *
     * @throws IllegalArgumentException also when it exists already at this place with these labels,
     *                                  with a supplier of the same class loader
     */
    void createGaugeWithCallback(String name, String help, Map<String, String> constLabels, DoubleSupplier value);

    /**
     * Creates a counter whose value {@code value} gives at every scrape, e.g. a count another library
     * keeps; exposed with {@code _total}. A negative or NaN value counts as a failure of the callback.
     * Otherwise as {@link #createGaugeWithCallback}.
     */
    void createCounterWithCallback(String name, String help, Map<String, String> constLabels, DoubleSupplier value);

    /**
     * Creates gauges of several label sets, all given by {@code values} at every scrape: a map from
     * the label values (in the order of {@code labelNames}) to the value. Entries with the wrong
     * number of label values or a null are left out and reported once; at most
     * {@code DYN_METRICS_MAX_SERIES} label sets are exposed.
     *
     * <pre>{@code
     * metrics.createGaugeVecWithCallback("cache_entries", "Entries per cache", Arrays.asList("cache"), null,
     *         () -> Collections.singletonMap(Arrays.asList("tokens"), (double) tokenCache.size()));
     * }</pre>
     */
    void createGaugeVecWithCallback(String name, String help, List<String> labelNames,
            Map<String, String> constLabels, Supplier<Map<List<String>, Double>> values);

    /** Counters of several label sets, given by {@code values} at every scrape; as {@link #createGaugeVecWithCallback}. */
    void createCounterVecWithCallback(String name, String help, List<String> labelNames,
            Map<String, String> constLabels, Supplier<Map<List<String>, Double>> values);

    /**
     * Runs {@code callback} before every scrape of this registry or one above it, e.g. to set gauges
     * from a cache. Same rules as the callback metrics: off the scrape thread, at most half a second.
     *
     * <pre>{@code
     * metrics.addUpdateCallback(() -> cacheSize.set(cache.size()));
     * }</pre>
     *
     * <p>A callback written in a class of the same name as one added here before, but loaded by
     * another class loader (a redeployed application's), replaces that one.
     */
    void addUpdateCallback(Runnable callback);

    /**
     * The metrics created through this registry and the registries below it, in the Prometheus text
     * format 0.0.4, after running their callbacks; the same text the agent serves for them. Works
     * without the agent, e.g. to serve metrics from the application's own web server or to check
     * them in a unit test.
     *
     * <pre>{@code
     * String page = DistributedRuntime.get().metrics().prometheusExpfmt();
     * }</pre>
     */
    String prometheusExpfmt();
}
