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

    /**
     * Adds the samples {@link #collect} would append now, and the bytes of their lines, to {@code size},
     * without collecting; one sample here, which metrics of more samples override.
     *
     * @param fixedValueBytes the bytes of the fixed label values on a page ({@link LabelValues#exposedBytes})
     */
    default void measure(SampleNames family, long fixedValueBytes, ExpositionSize size) {
        size.add(1, family.lineBytes + fixedValueBytes);
    }
}
