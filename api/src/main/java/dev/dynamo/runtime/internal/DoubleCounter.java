package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Counter;

import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;

/** {@link Counter} over a {@link DoubleAdder}: contended increments do not retry a CAS loop. */
final class DoubleCounter implements Counter, Collectable {
    private final DoubleAdder value = new DoubleAdder();

    @Override
    public void inc() {
        value.add(1.0);
    }

    @Override
    public void inc(double amount) {
        // Written so that NaN fails too.
        if (!(amount >= 0.0) || Double.isInfinite(amount)) {
            throw new IllegalArgumentException("Counter increment must be a finite number >= 0, got " + amount
                    + "; use a Gauge for values that go down");
        }
        value.add(amount);
    }

    /**
     * The total, at most {@link Double#MAX_VALUE}: finite increments can still add up to infinity, which the
     * increments themselves may not be, and which {@code rate()} turns into NaN. An {@code IntCounter} stops
     * at its largest value too.
     */
    @Override
    public double get() {
        double sum = value.sum();
        return sum == Double.POSITIVE_INFINITY ? Double.MAX_VALUE : sum;
    }

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        out.add(new Sample(family.total, family.labelNames, labelValues, get()));
    }
}
