package dev.dynamo.it.apps;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.HistogramVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;

/**
 * A re-tester's vec that stays within every documented limit: one histogram vec with the default buckets
 * and 4 variable labels, fed {@code N} label sets (default 2,000, the default series limit) of values of
 * 4,096 CJK characters each, the longest a value may be. Its label sets once made a page of 1.3 GB, and
 * every scrape of a 512 MB heap was refused. Also one counter of its own. Answers
 * {@code wide labels: ready}, then runs until stdin ends and says {@code wide labels: main returns}.
 */
public final class WideLabelValuesApp {
    private static final int LONGEST_VALUE = 4096;

    private WideLabelValuesApp() {
    }

    public static void main(String[] args) throws IOException {
        int labelSets = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        MetricsRegistry metrics = DistributedRuntime.get().namespace("wide").component("labels").endpoint("main")
                .metrics();
        metrics.createIntCounter("started", "Times the application started", null).inc();
        HistogramVec wide = metrics.createHistogramVec("wide", "Label values as long as they may be",
                Arrays.asList("l0", "l1", "l2", "l3"), Collections.<String, String>emptyMap(), null);
        for (int i = 0; i < labelSets; i++) {
            String[] values = new String[4];
            for (int j = 0; j < values.length; j++) {
                StringBuilder value = new StringBuilder(i + "-" + j + "-");
                while (value.length() < LONGEST_VALUE) {
                    value.append('\u4e2d');
                }
                values[j] = value.toString();
            }
            wide.withLabelValues(values).observe(0.1);
        }
        UntilStdinEnds.run("wide labels: ready", "wide labels: main returns");
    }
}
