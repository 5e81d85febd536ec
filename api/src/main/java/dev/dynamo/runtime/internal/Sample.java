package dev.dynamo.runtime.internal;

import java.util.List;

/** One exposed series value: full sample name (with any suffix), labels and value. */
public final class Sample {
    private final String name;
    private final List<String> labelNames;
    private final List<String> labelValues;
    private final double value;

    public Sample(String name, List<String> labelNames, List<String> labelValues, double value) {
        this.name = name;
        this.labelNames = labelNames;
        this.labelValues = labelValues;
        this.value = value;
    }

    public String name() {
        return name;
    }

    public List<String> labelNames() {
        return labelNames;
    }

    public List<String> labelValues() {
        return labelValues;
    }

    public double value() {
        return value;
    }

    @Override
    public String toString() {
        return name + labelNames + labelValues + "=" + value;
    }
}
