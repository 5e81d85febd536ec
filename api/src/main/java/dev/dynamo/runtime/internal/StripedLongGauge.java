package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.IntGauge;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link IntGauge} for values that only go up and down, such as requests in flight: two
 * {@link LongAdder}s, one for what went up and one for what went down, so that threads incrementing
 * and decrementing at once do not fight over one cache line (an {@code AtomicLong} there made each
 * call of a two-thread endpoint ~2.6× slower).
 *
 * <p>Two, not one: a {@code LongAdder}'s sum is not atomic, so one adder that both goes up and down
 * can be read with a decrement but without the increment that came before it (read from another
 * cell earlier in the sum), and a page then showed requests in flight below zero. The value is read
 * as what went down first, then what went up: every decrement seen had its increment happen before
 * it, so it is never negative when every decrement follows its increment. Then what went down is read
 * again, and the whole read repeated while it changed ({@link #inFlight}): read once, calls that
 * ended meanwhile made the value too high, up to 10 for a method only one thread ever called (a
 * re-tester). {@link #set} is not atomic with respect to concurrent changes: it moves the value by the
 * difference it sees.
 */
final class StripedLongGauge implements IntGauge, Collectable {
    private final LongAdder up = new LongAdder();
    private final LongAdder down = new LongAdder();

    @Override
    public void set(long newValue) {
        synchronized (this) {
            add(newValue - get());
        }
    }

    @Override
    public void inc() {
        up.increment();
    }

    @Override
    public void dec() {
        down.increment();
    }

    @Override
    public void add(long amount) {
        if (amount >= 0) {
            up.add(amount);
        } else {
            down.add(-amount);
        }
    }

    @Override
    public void sub(long amount) {
        add(-amount);
    }

    @Override
    public long get() {
        return inFlight(up, down);
    }

    private static final int STABLE_READ_ATTEMPTS = 8;

    /**
     * {@code up} less {@code down}, both only ever growing. When nothing went down while {@code up} was summed,
     * the value is what was in flight at some moment of that sum: at least what was at its start, at most what
     * was at its end. Otherwise read again, up to {@link #STABLE_READ_ATTEMPTS} times; then {@code down} before
     * {@code up} once more, never negative, too high by the calls that ended meanwhile.
     */
    static long inFlight(LongAdder up, LongAdder down) {
        long wentDown = down.sum();
        for (int attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
            long wentUp = up.sum();
            long wentDownSince = down.sum();
            if (wentDownSince == wentDown) {
                return wentUp - wentDown;
            }
            wentDown = wentDownSince;
        }
        return up.sum() - wentDown;
    }

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        out.add(new Sample(family.name, family.labelNames, labelValues, get()));
    }
}
