package dev.dynamo.runtime.metrics;

import java.util.List;

/**
 * A distribution of observed values over fixed buckets, exposed as {@code _bucket}, {@code _count}
 * and {@code _sum} series.
 *
 * <pre>{@code
 * Histogram latency = endpoint.metrics().createHistogram("latency_seconds", "Latency",
 *         Collections.emptyMap(), Arrays.asList(0.01, 0.1, 1.0));
 * latency.observe(0.023);
 * }</pre>
 */
public interface Histogram {

    /**
     * Records one observation.
     *
     * @throws IllegalArgumentException when {@code value} is NaN
     */
    void observe(double value);

    /** How many values were observed. */
    long getCount();

    /** The sum of all observed values. */
    double getSum();

    /** The upper bounds of the buckets, without the implicit {@code +Inf}. */
    List<Double> getBuckets();

    /**
     * The cumulative count of each bucket, in the order of {@link #getBuckets()}, followed by the
     * {@code +Inf} bucket (equal to {@link #getCount()}).
     */
    long[] getCumulativeCounts();
}
