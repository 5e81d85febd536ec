package dev.dynamo.runtime.internal;

import java.util.List;
import java.util.function.DoubleSupplier;

/** A gauge whose value is computed when it is collected. */
final class CallbackGauge implements Collectable {
    private final DoubleSupplier value;

    CallbackGauge(DoubleSupplier value) {
        this.value = value;
    }

    @Override
    public void collect(SampleNames family, List<String> labelValues, List<Sample> out) {
        out.add(new Sample(family.name, family.labelNames, labelValues, value.getAsDouble()));
    }
}
