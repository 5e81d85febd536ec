package dev.dynamo.runtime.metrics;

/**
 * {@link IntCounter}s told apart by label values.
 *
 * <pre>{@code
 * IntCounterVec vec = endpoint.metrics().createIntCounterVec("requests_by_model", "Requests by model",
 *         Arrays.asList("model", "size"), Collections.emptyMap());
 * vec.withLabelValues("llama", "7b").inc();
 * }</pre>
 */
public interface IntCounterVec extends MetricVec<IntCounter> {
}
