package dev.dynamo.runtime.metrics;

/**
 * {@link Histogram}s told apart by label values.
 *
 * <pre>{@code
 * HistogramVec vec = endpoint.metrics().createHistogramVec("latency_by_model", "Latency by model",
 *         Arrays.asList("model", "size"), Collections.emptyMap(), null);
 * vec.withLabelValues("llama", "7b").observe(0.25);
 * }</pre>
 */
public interface HistogramVec extends MetricVec<Histogram> {
}
