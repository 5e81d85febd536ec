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
}
