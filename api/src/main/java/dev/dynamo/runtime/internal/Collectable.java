package dev.dynamo.runtime.internal;

import java.util.List;

/** A metric implementation that can write its current samples. */
interface Collectable {

    /**
     * Appends this metric's samples to {@code out}.
     *
     * @param family      the family's sample and label names
     * @param labelValues the values of the fixed labels (automatic and constant), in order
     */
    void collect(SampleNames family, List<String> labelValues, List<Sample> out);
}
