package dev.dynamo.runtime.metrics;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

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

    /**
     * Starts timing something; closing the timer observes the seconds since, once.
     *
     * <pre>{@code
     * try (Histogram.Timer timer = latency.startTimer()) {
     *     handle(request);
     * }
     * }</pre>
     */
    default Timer startTimer() {
        return new Timer(this);
    }

    /**
     * Runs {@code work} and observes how long it took, also when it throws.
     *
     * @return the observed duration in seconds
     */
    default double time(Runnable work) {
        Timer timer = startTimer();
        try {
            work.run();
        } finally {
            timer.close();
        }
        return timer.observeDuration();
    }

    /**
     * Calls {@code work} and observes how long it took, also when it throws; what it throws is
     * rethrown unchanged.
     *
     * <pre>{@code
     * Reply reply = latency.time(() -> backend.call(request));
     * }</pre>
     */
    default <T> T time(Callable<T> work) throws Exception {
        Timer timer = startTimer();
        try {
            return work.call();
        } finally {
            timer.close();
        }
    }

    /** A running measurement of a {@link Histogram}: {@link #close()} observes its duration once. */
    final class Timer implements AutoCloseable {
        private final Histogram histogram;
        private final long startNanos = System.nanoTime();
        private final AtomicBoolean observed = new AtomicBoolean();
        private volatile double seconds;

        Timer(Histogram histogram) {
            this.histogram = histogram;
        }

        /**
         * Observes the seconds since the timer started, the first time it is called (or the timer
         * closed); returns the duration that was observed.
         */
        public double observeDuration() {
            if (observed.compareAndSet(false, true)) {
                seconds = (System.nanoTime() - startNanos) / 1e9;
                histogram.observe(seconds);
            }
            return seconds;
        }

        /** Observes the duration, unless it was observed already. */
        @Override
        public void close() {
            observeDuration();
        }
    }
}
