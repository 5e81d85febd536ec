package dev.dynamo.runtime.internal;

import java.util.List;
import java.util.function.DoubleSupplier;

/** A gauge or counter whose value the application's supplier gives before each scrape. */
final class CallbackMetric extends ScrapeCallback implements Collectable {
    /** Replaced by a redeployed application's (see {@link #isRedeployedAs}). */
    private volatile DoubleSupplier supplier;
    /** What a counter's callback may return, for messages: infinity would make every {@code rate()} over it NaN. */
    static final String COUNTER_VALUES = " that is finite and >= 0";
    private final boolean counter;
    private volatile double value;

    CallbackMetric(List<String> hierarchy, String description, DoubleSupplier supplier, boolean counter) {
        super(hierarchy, description);
        this.supplier = supplier;
        this.counter = counter;
    }

    @Override
    void refresh() {
        double next = supplier.getAsDouble();
        if (counter && !isCounterValue(next)) {
            throw new IllegalStateException("it returned " + next + ", but a counter's value must be a number"
                    + COUNTER_VALUES);
        }
        // + 0.0: a counter's -0.0 is written as 0.0, as a counter never goes below zero.
        value = counter ? next + 0.0 : next;
    }

    /** Whether a counter's callback may give {@code value}: a finite number >= 0 (-0.0 too). */
    static boolean isCounterValue(double value) {
        return value >= 0.0 && value <= Double.MAX_VALUE;
    }

    @Override
    Object code() {
        return supplier;
    }

    /** Runs {@code newer}'s supplier from now on, in this metric's series. */
    void takeCodeOf(CallbackMetric newer) {
        supplier = newer.supplier;
    }

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        if (hasFreshValue()) {
            out.add(new Sample(counter ? family.total : family.name, family.labelNames, labelValues, value));
        }
    }
}
