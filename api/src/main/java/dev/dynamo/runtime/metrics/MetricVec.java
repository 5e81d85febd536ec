package dev.dynamo.runtime.metrics;

import java.util.List;

/**
 * A family of metrics of one kind, told apart by the values of its variable labels.
 *
 * @param <T> the type of one labelled child metric
 */
public interface MetricVec<T> {

    /**
     * The child for these label values, in the order of {@link #getLabelNames()}; created on first
     * use, the same object afterwards.
     *
     * @throws IllegalArgumentException when the number of values differs from the number of label
     *         names, or a value is null
     */
    T withLabelValues(String... labelValues);

    /**
     * Removes the child for these label values, so that its series is no longer exposed.
     *
     * @return whether there was such a child
     */
    boolean remove(String... labelValues);

    /** The names of the variable labels, in the order that {@link #withLabelValues} expects. */
    List<String> getLabelNames();

    /**
     * Sets how many label sets this metric may hold, over every place it is created at (default
     * {@code DYN_METRICS_MAX_SERIES}, else 2,000). Past the limit, new label sets share one overflow
     * series whose variable labels are all {@code __overflow__}; each such lookup is counted in
     * {@code dynamo_metrics_folded_label_sets_total{family="<metric>"}}. Existing series stay.
     *
     * <pre>{@code
     * vec.setMaxSeries(10_000);
     * }</pre>
     *
     * @throws IllegalArgumentException when {@code maxSeries} is below 1
     */
    default void setMaxSeries(int maxSeries) {
        throw new UnsupportedOperationException(getClass().getName() + " does not limit its series");
    }
}
