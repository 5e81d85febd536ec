package dev.dynamo.runtime.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The sample names and label names of one family, computed once when the family is created so that
 * a scrape does not build the same strings and lists again for every series.
 */
final class SampleNames {
    /** The family name; the sample name of gauges. */
    final String name;
    final String total;
    final String bucket;
    final String count;
    final String sum;
    final List<String> labelNames;
    /** {@link #labelNames} followed by {@code le}. */
    final List<String> bucketLabelNames;
    /**
     * The most bytes a sample's line takes on a page besides its label values: the longest sample name,
     * the label names with their quotes, and the value ({@link ExpositionSize}).
     */
    final int lineBytes;
    /** {@link #lineBytes} of a histogram's bucket, besides its {@code le} value too. */
    final int bucketLineBytes;

    SampleNames(String name, List<String> labelNames) {
        this.name = name;
        this.total = name + "_total";
        this.bucket = name + "_bucket";
        this.count = name + "_count";
        this.sum = name + "_sum";
        this.labelNames = labelNames;
        List<String> withLe = new ArrayList<String>(labelNames.size() + 1);
        withLe.addAll(labelNames);
        withLe.add("le");
        this.bucketLabelNames = Collections.unmodifiableList(withLe);
        this.lineBytes = ExpositionSize.lineBytes(count, labelNames);
        this.bucketLineBytes = ExpositionSize.lineBytes(bucket, bucketLabelNames);
    }
}
