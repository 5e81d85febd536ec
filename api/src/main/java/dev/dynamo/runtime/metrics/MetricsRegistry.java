package dev.dynamo.runtime.metrics;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

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
}
