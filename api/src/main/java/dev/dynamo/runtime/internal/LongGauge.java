package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.IntGauge;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@link IntGauge} over an {@link AtomicLong}. */
final class LongGauge implements IntGauge, Collectable {
    private final AtomicLong value = new AtomicLong();

    @Override
    public void set(long newValue) {
        value.set(newValue);
    }

    @Override
    public void inc() {
        value.incrementAndGet();
    }

    @Override
    public void dec() {
        value.decrementAndGet();
    }

    @Override
    public void add(long amount) {
        value.addAndGet(amount);
    }

    @Override
    public void sub(long amount) {
        value.addAndGet(-amount);
    }

    @Override
    public long get() {
        return value.get();
    }

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        out.add(new Sample(family.name, family.labelNames, labelValues, get()));
    }
}
