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
    }
}
