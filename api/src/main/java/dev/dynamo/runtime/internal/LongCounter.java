package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.IntCounter;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** {@link IntCounter} over a {@link LongAdder}: exact under any number of threads, no CAS retries. */
final class LongCounter implements IntCounter, Collectable {
    private final LongAdder value = new LongAdder();

    @Override
    public void inc() {
        value.increment();
    }

    @Override
    public void inc(long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("IntCounter increment must be >= 0, got " + amount
                    + "; use an IntGauge for values that go down");
        }
        value.add(amount);
    }

    /**
     * The count, at most {@link Long#MAX_VALUE}: increments are never negative, so a negative sum
     * means the total passed that, and a counter must not go down.
     */
    @Override
    public long get() {
        long sum = value.sum();
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        out.add(new Sample(family.total, family.labelNames, labelValues, get()));
    }
}
