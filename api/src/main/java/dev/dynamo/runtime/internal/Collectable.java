package dev.dynamo.runtime.internal;

import java.util.List;

/** A metric implementation that can write its current samples. */
interface Collectable {

    /**
     * Appends this metric's samples to {@code out}.
     *
     * @param familyName  the family name (counters: without {@code _total})
     * @param labelNames  the family's label names, variable labels last
     * @param labelValues the values of the fixed labels (automatic and constant), in order
     */
    void collect(String familyName, List<String> labelNames, List<String> labelValues, List<Sample> out);
}
