package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.WovenCallsSeams;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGauge;

import java.util.List;

/** A metrics backend whose every operation throws, to prove that recording failures stay out of the method. */
final class ThrowingMetrics {
    private ThrowingMetrics() {
    }

    /** Endpoint {@code id} records into metrics that all throw, until {@link WovenCallsSeams#restore}. */
    static void install(int id) {
        WovenCallsSeams.recordInto(id, new Counter(), new Gauge(), new Buckets(), new CounterVec(), new Counter());
    }

    private static RuntimeException broken() {
        return new IllegalStateException("metrics backend is broken");
    }

    private static final class Counter implements IntCounter {
        @Override
        public void inc() {
            throw broken();
        }

        @Override
        public void inc(long amount) {
            throw broken();
        }

        @Override
        public long get() {
            throw broken();
        }
    }

    private static final class Gauge implements IntGauge {
        @Override
        public void set(long value) {
            throw broken();
        }

        @Override
        public void inc() {
            throw broken();
        }

        @Override
        public void dec() {
            throw broken();
        }

        @Override
        public void add(long amount) {
            throw broken();
        }

        @Override
        public void sub(long amount) {
            throw broken();
        }

        @Override
        public long get() {
            throw broken();
        }
    }

    private static final class Buckets implements Histogram {
        @Override
        public void observe(double value) {
            throw broken();
        }

        @Override
        public long getCount() {
            throw broken();
        }

        @Override
        public double getSum() {
            throw broken();
        }

        @Override
        public List<Double> getBuckets() {
            throw broken();
        }

        @Override
        public long[] getCumulativeCounts() {
            throw broken();
        }
    }

    private static final class CounterVec implements IntCounterVec {
        @Override
        public IntCounter withLabelValues(String... labelValues) {
            throw broken();
        }

        @Override
        public boolean remove(String... labelValues) {
            throw broken();
        }

        @Override
        public List<String> getLabelNames() {
            throw broken();
        }
    }
}
