package dev.dynamo.runtime.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Gauges or counters of several label sets, all given by one supplier before each scrape: a map
 * from label values (in the order of the label names) to the value. Entries that cannot be exposed
 * are skipped and reported once; at most the series limit of label sets are kept, and label values of
 * at most {@link SeriesLimit#LABEL_BYTES_PER_SERIES} page bytes for each.
 */
final class LabeledCallbackMetric extends ScrapeCallback implements Collectable {
    /** Replaced by a redeployed application's (see {@link #isRedeployedAs}). */
    private volatile Supplier<Map<List<String>, Double>> supplier;
    private final List<String> labelNames;
    private final boolean counter;
    /** The label sets and values of the last run, published together. */
    private volatile Given given = new Given(Collections.<List<String>>emptyList(), new double[0], 0);

    LabeledCallbackMetric(List<String> hierarchy, String description, List<String> labelNames,
            Supplier<Map<List<String>, Double>> supplier, boolean counter) {
        super(hierarchy, description);
        this.labelNames = labelNames;
        this.supplier = supplier;
        this.counter = counter;
    }

    @Override
    Object code() {
        return supplier;
    }

    /** Runs {@code newer}'s supplier from now on, in this metric's series. */
    void takeCodeOf(LabeledCallbackMetric newer) {
        supplier = newer.supplier;
    }

    @Override
    void refresh() {
        Map<List<String>, Double> returned = supplier.get();
        if (returned == null) {
            throw new IllegalStateException("it returned null; return a map, empty for no series");
        }
        int limit = LimitSetting.MAX_SERIES.value();
        // The vecs' bound on the page bytes of label values (SeriesLimit), each label set on one line.
        long byteBudget = (long) limit * SeriesLimit.LABEL_BYTES_PER_SERIES;
        List<List<String>> nextKeys = new ArrayList<List<String>>(Math.min(returned.size(), limit));
        double[] nextValues = new double[Math.min(returned.size(), limit)];
        long nextValueBytes = 0;
        String problem = null;
        // The map's own equality may not be the lists' (an IdentityHashMap): one series per label set.
        Set<List<String>> seen = new HashSet<List<String>>();
        // Looked at as objects: a map from Groovy or a raw type may hold anything (an Integer value, a label
        // value that is no String), and one such entry is left out, not every series of the callback.
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) returned).entrySet()) {
            String wrong = check(entry.getKey(), entry.getValue());
            // Values that differ only in halves of characters are one label set on the page (LabelValues).
            @SuppressWarnings("unchecked")
            List<String> key = wrong == null ? LabelValues.wellFormed((List<String>) entry.getKey()) : null;
            if (wrong == null && !seen.add(key)) {
                wrong = "it returned the label values " + ApplicationText.of(entry.getKey()) + " more than once; return each label set"
                        + " once (the first is kept, the others are left out)";
            }
            if (wrong != null) {
                problem = problem == null ? wrong : problem;
                continue;
            }
            if (nextKeys.size() == limit) {
                problem = "it returned more than " + limit + " label sets (" + LimitSetting.MAX_SERIES.variable
                        + "); the rest are left out";
                break;
            }
            long bytes = LabelValues.exposedBytes(key);
            if (bytes > byteBudget - nextValueBytes) {
                problem = "it returned label sets whose label values take more than " + byteBudget + " bytes on a"
                        + " page (" + SeriesLimit.LABEL_BYTES_PER_SERIES + " for each of the " + limit + " label sets of "
                        + LimitSetting.MAX_SERIES.variable + "); the rest are left out. Use short label values (no payloads,"
                        + " no free text)";
                break;
            }
            double value = ((Number) entry.getValue()).doubleValue();
            // + 0.0: a counter's -0.0 is written as 0.0, as a counter never goes below zero.
            nextValues[nextKeys.size()] = counter ? value + 0.0 : value;
            nextKeys.add(Collections.unmodifiableList(new ArrayList<String>(key)));
            nextValueBytes += bytes;
        }
        this.given = new Given(nextKeys, nextValues, nextValueBytes);
        if (problem != null) {
            report(description() + ": " + problem);
        }
    }

    private String check(Object givenKey, Object givenValue) {
        if (!(givenKey instanceof List) || ((List<?>) givenKey).size() != labelNames.size()
                || !allStrings((List<?>) givenKey)) {
            return "it returned label values " + ApplicationText.of(givenKey) + " for the label names " + labelNames
                    + "; give a list of one non-null String per label name, in that order (that entry is left out)";
        }
        @SuppressWarnings("unchecked")
        List<String> key = (List<String>) givenKey;
        if (givenValue != null && !(givenValue instanceof Number)) {
            return "it returned " + ApplicationText.of(givenValue) + ", a " + givenValue.getClass().getName() + ", for "
                    + ApplicationText.of(key) + "; give a number (that entry is left out)";
        }
        Double value = givenValue == null ? null : ((Number) givenValue).doubleValue();
        int longest = LabeledMetrics.longestValue(key);
        if (longest > SeriesLimit.MAX_LABEL_VALUE_LENGTH) {
            return "it returned a label value of " + longest + " characters; label values are at most "
                    + SeriesLimit.MAX_LABEL_VALUE_LENGTH + " (that entry is left out)";
        }
        if (value == null || (counter && !CallbackMetric.isCounterValue(value))) {
            return "it returned " + value + " for " + ApplicationText.of(key) + "; give a number"
                    + (counter ? CallbackMetric.COUNTER_VALUES : "") + " (that entry is left out)";
        }
        return null;
    }

    /**
     * Whether every value is a non-null String, looked at one by one: {@code contains(null)} throws where a
     * list cannot hold null ({@code List.of}, {@code List.copyOf}).
     */
    private static boolean allStrings(List<?> key) {
        for (Object value : key) {
            if (!(value instanceof String)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void collect(SampleNames family, List<String> fixedValues, List<Sample> out) {
        if (!hasFreshValue()) {
            return;
        }
        Given current = given;
        List<List<String>> currentKeys = current.keys;
        double[] currentValues = current.values;
        String name = counter ? family.total : family.name;
        for (int i = 0; i < currentKeys.size(); i++) {
            out.add(new Sample(name, family.labelNames, new JoinedList(fixedValues, currentKeys.get(i)),
                    currentValues[i]));
        }
    }

    /** The label sets the supplier gave at its last run: scrapes before the next run are measured by them. */
    @Override
    public void measure(SampleNames family, long fixedValueBytes, ExpositionSize size) {
        Given current = given;
        size.add(current.keys.size(), family.lineBytes + fixedValueBytes);
        size.addBytes(current.valueBytes);
    }

    private static final class Given {
        final List<List<String>> keys;
        final double[] values;
        /** The bytes of the label values of {@link #keys} on a page. */
        final long valueBytes;

        Given(List<List<String>> keys, double[] values, long valueBytes) {
            this.keys = keys;
            this.values = values;
            this.valueBytes = valueBytes;
        }
    }
}
