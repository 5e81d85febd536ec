package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.Gauge;
import dev.dynamo.runtime.metrics.GaugeVec;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.HistogramVec;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.IntGaugeVec;

import java.util.List;

/** The vec implementations: one {@link LabeledMetrics} per API vec type. */
final class Vecs {
    private Vecs() {
    }

    static final class DoubleCounterVec extends LabeledMetrics<Counter, DoubleCounter> implements CounterVec {
        DoubleCounterVec(List<String> labelNames) {
            super(labelNames);
        }

        @Override
        DoubleCounter newChild() {
            return new DoubleCounter();
        }
    }

    static final class LongCounterVec extends LabeledMetrics<IntCounter, LongCounter> implements IntCounterVec {
        LongCounterVec(List<String> labelNames) {
            super(labelNames);
        }

        @Override
        LongCounter newChild() {
            return new LongCounter();
        }
    }

    static final class DoubleGaugeVec extends LabeledMetrics<Gauge, DoubleGauge> implements GaugeVec {
        DoubleGaugeVec(List<String> labelNames) {
            super(labelNames);
        }

        @Override
        DoubleGauge newChild() {
            return new DoubleGauge();
        }
    }

    static final class LongGaugeVec extends LabeledMetrics<IntGauge, LongGauge> implements IntGaugeVec {
        LongGaugeVec(List<String> labelNames) {
            super(labelNames);
        }

        @Override
        LongGauge newChild() {
            return new LongGauge();
        }
    }

    static final class BucketHistogramVec extends LabeledMetrics<Histogram, BucketHistogram> implements HistogramVec {
        private final double[] upperBounds;
        private final String[] boundLabels;

        BucketHistogramVec(List<String> labelNames, double[] upperBounds) {
            super(labelNames);
            this.upperBounds = upperBounds;
            this.boundLabels = BucketHistogram.boundLabels(upperBounds);
        }

        @Override
        BucketHistogram newChild() {
            return new BucketHistogram(upperBounds, boundLabels);
        }

        /** A bucket line per bound and {@code +Inf}, the count and the sum. */
        @Override
        int linesPerChild() {
            return boundLabels.length + 2;
        }
    }
}
