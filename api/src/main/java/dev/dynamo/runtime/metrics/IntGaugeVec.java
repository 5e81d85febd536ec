package dev.dynamo.runtime.metrics;

/**
 * {@link IntGauge}s told apart by label values.
 *
 * <pre>{@code
 * IntGaugeVec vec = endpoint.metrics().createIntGaugeVec("load_by_model", "Load by model",
 *         Arrays.asList("model", "size"), Collections.emptyMap());
 * vec.withLabelValues("llama", "7b").inc();
 * }</pre>
 */
public interface IntGaugeVec extends MetricVec<IntGauge> {
}
