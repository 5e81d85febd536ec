package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.IntCounter;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** {@link IntCounter} over a {@link LongAdder}: exact under any number of threads, no CAS retries. */
final class LongCounter implements IntCounter, Collectable {
    /**
     * Increments at least this large take the checked path. Smaller ones cannot carry the sum from past
     * {@link Long#MAX_VALUE} (negative) round to positive again before a scrape reads it negative and
     * {@link #get} makes the saturation stick: that takes 2^32 of them.
     */
    private static final long CHECKED_AMOUNT = 1L << 31;

    private final LongAdder value = new LongAdder();
    /** Whether the total passed {@link Long#MAX_VALUE}: from then on the counter reads that, for good. */
    private volatile boolean saturated;

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
        if (amount < CHECKED_AMOUNT) {
            value.add(amount);
        } else {
            addChecked(amount);
        }
    }

    /**
     * Adds a large increment unless it would carry the total past {@link Long#MAX_VALUE}. Two of them, added
     * unchecked, wrapped the sum round 2^64 to a small positive number: the counter went from
     * {@code Long.MAX_VALUE} to 0 (a re-tester).
     */
    private synchronized void addChecked(long amount) {
        long sum = value.sum();
        if (saturated || sum < 0 || sum > Long.MAX_VALUE - amount) {
            saturated = true;
            return;
        }
        value.add(amount);
    }

    /** The count, at most {@link Long#MAX_VALUE}: a counter must not go down. */
    @Override
    public long get() {
        if (saturated) {
            return Long.MAX_VALUE;
        }
        long sum = value.sum();
        if (sum < 0) {
            saturated = true;
            return Long.MAX_VALUE;
        }
        return sum;
    }

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        out.add(new Sample(family.total, family.labelNames, labelValues, get()));
    }
}
