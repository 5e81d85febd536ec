package dev.dynamo.runtime.metrics;

/**
 * {@link Gauge}s told apart by label values.
 *
 * <pre>{@code
 * GaugeVec vec = endpoint.metrics().createGaugeVec("load_by_model", "Load by model",
 *         Arrays.asList("model", "size"), Collections.emptyMap());
 * vec.withLabelValues("llama", "7b").inc();
 * }</pre>
 */
public interface GaugeVec extends MetricVec<Gauge> {
}
