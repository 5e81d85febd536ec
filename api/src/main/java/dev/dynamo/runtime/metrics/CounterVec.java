package dev.dynamo.runtime.metrics;

/**
 * {@link Counter}s told apart by label values.
 *
 * <pre>{@code
 * CounterVec vec = endpoint.metrics().createCounterVec("requests_by_model", "Requests by model",
 *         Arrays.asList("model", "size"), Collections.emptyMap());
 * vec.withLabelValues("llama", "7b").inc();
 * }</pre>
 */
public interface CounterVec extends MetricVec<Counter> {
}
