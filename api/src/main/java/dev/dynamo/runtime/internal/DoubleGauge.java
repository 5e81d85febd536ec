package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Gauge;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@link Gauge} keeping the double's bits in an {@link AtomicLong}, so that set and add are both atomic. */
final class DoubleGauge implements Gauge, Collectable {
    private final AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(0.0));

    @Override
    public void set(double value) {
        bits.set(Double.doubleToRawLongBits(value));
    }

    @Override
    public void inc() {
        add(1.0);
    }

    @Override
    public void dec() {
        add(-1.0);
    }

    @Override
    public void add(double amount) {
        long current;
        long next;
        do {
            current = bits.get();
            next = Double.doubleToRawLongBits(Double.longBitsToDouble(current) + amount);
        } while (!bits.compareAndSet(current, next));
    }

    @Override
    public void sub(double amount) {
        add(-amount);
    }

    @Override
    public double get() {
        return Double.longBitsToDouble(bits.get());
    }

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        out.add(new Sample(family.name, family.labelNames, labelValues, get()));
    }
}
