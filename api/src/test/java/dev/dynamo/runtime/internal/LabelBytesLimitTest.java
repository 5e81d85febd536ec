package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.HistogramVec;
import dev.dynamo.runtime.metrics.IntCounterVec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bound on the page bytes of a family's variable label values ({@link SeriesLimit#LABEL_BYTES_PER_SERIES}). */
class LabelBytesLimitTest extends FoldingTest {
    /** The budget of a family of the default series limit. */
    private static final long DEFAULT_BUDGET = (long) LimitSetting.MAX_SERIES.defaultValue * SeriesLimit.LABEL_BYTES_PER_SERIES;

    /** The series of {@code family} other than its overflow series. */
    private List<Sample> ownSeries(String family, String sampleName) {
        List<Sample> own = new ArrayList<>();
        for (Sample each : findFamily(store.snapshot(), family).samples()) {
            if (each.name().equals(sampleName) && !each.labelValues().contains(SeriesLimit.OVERFLOW_VALUE)) {
                own.add(each);
            }
        }
        return own;
    }

    /** {@code prefix} padded with {@code fill} to {@code length} characters. */
    private static String pad(String prefix, int length, char fill) {
        StringBuilder value = new StringBuilder(prefix);
        while (value.length() < length) {
            value.append(fill);
        }
        return value.toString();
    }

    /**
     * A re-tester's vec: 4 values of 4,096 CJK characters each, every one within
     * {@link SeriesLimit#MAX_LABEL_VALUE_LENGTH}, took 2,000 label sets, a page of 1.3 GB that no scrape of
     * a 512 MB heap could render, and every family was lost from every page.
     */
    @Test
    void aHistogramVecOfTheLongestValuesStopsAtTheBudgetAndKeepsItsPageToAFewMegabytes() {
        List<String> labels = Arrays.asList("l0", "l1", "l2", "l3");
        HistogramVec vec = at("f", "f", "f").createHistogramVec("wide", "Wide", labels, null, null);
        String family = "dynamo_component_wide";
        long kept = 0;
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            String[] values = new String[labels.size()];
            for (int j = 0; j < values.length; j++) {
                values[j] = pad(i + "-" + j + "-", SeriesLimit.MAX_LABEL_VALUE_LENGTH, '\u4e2d');
            }
            long pageBytes = LabelValues.exposedBytes(Arrays.asList(values)) * 14;
            if (kept + pageBytes <= DEFAULT_BUDGET) {
                kept += pageBytes;
                admitted++;
            }
            vec.withLabelValues(values).observe(0.1);
        }

        assertEquals(11, admitted, "each label set is 49,120 bytes on 14 lines, 687,680 of 8,192,000");
        assertEquals(11, ownSeries(family, family + "_count").size());
        assertEquals(89.0, sample(findFamily(store.snapshot(), family), family + "_count",
                map("dynamo_namespace", "f", "dynamo_component", "f", "dynamo_endpoint", "f", "l0", "__overflow__",
                        "l1", "__overflow__", "l2", "__overflow__", "l3", "__overflow__")).value());
        assertEquals(89.0, folded(family));
        ExpositionSize size = new ExpositionSize();
        store.measure(family::equals, size);
        assertTrue(size.bytes < 8_000_000L, "page bytes of the family: " + size.bytes);
        assertEquals(1, warnings.size(), warnings.toString());
        String warning = warnings.get(0);
        assertTrue(warning.startsWith("metric '" + family + "' reached its limit of 8192000 bytes of label values on"
                + " a page (4096 for each of the 2000 label sets of its series limit;"), warning);
        assertTrue(warning.contains("with 11 label sets") && warning.contains("\"__overflow__\"")
                && warning.contains(FOLDED + "_total{family=\"" + family + "\"}")
                && warning.contains("Use short label values") && warning.contains("DYN_METRICS_MAX_SERIES")
                && warning.contains("MetricVec.setMaxSeries"), warning);
    }

    /** A model name, a route, a status and an id: what the budget is sized never to fold. */
    @Test
    void ordinaryLabelValuesFillTheDefaultLimitOfAHistogramVecAndOnlyTheCountFolds() {
        HistogramVec vec = at("ns").createHistogramVec("latency", "h",
                Arrays.asList("model", "route", "status", "request_id"), null, null);
        for (int i = 0; i < LimitSetting.MAX_SERIES.defaultValue; i++) {
            vec.withLabelValues("meta-llama/Llama-3.1-70B-Instruct-" + i % 7, "/v1/chat/completions/" + i % 13,
                    Integer.toString(200 + i % 5), String.format("3f2b8c1e-9d4a-4e7b-a6c5-%012d", i)).observe(0.2);
        }
        assertEquals(LimitSetting.MAX_SERIES.defaultValue, ownSeries("dynamo_component_latency",
                "dynamo_component_latency_count").size());
        assertEquals(0.0, folded("dynamo_component_latency"));
        assertTrue(warnings.isEmpty(), warnings.toString());

        vec.withLabelValues("one", "more", "label", "set").observe(0.2);
        assertEquals(1.0, folded("dynamo_component_latency"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("reached its limit of 2000 label sets"), warnings.get(0));
    }

    @Test
    void aHistogramsValuesWeighOnceForEachLineItWritesAndABudgetFilledExactlyAdmits() {
        String value = pad("", SeriesLimit.MAX_LABEL_VALUE_LENGTH, 'x');
        CounterVec counters = at("ns").createCounterVec("flat", "h", Arrays.asList("k"), null);
        counters.setMaxSeries(10);
        HistogramVec histograms = at("ns").createHistogramVec("tall", "h", Arrays.asList("k"), null,
                Arrays.asList(1.0));
        histograms.setMaxSeries(10);
        for (int i = 0; i < 10; i++) {
            String distinct = i + value.substring(Integer.toString(i).length());
            counters.withLabelValues(distinct).inc();
            histograms.withLabelValues(distinct).observe(0.5);
        }

        assertEquals(0.0, folded("dynamo_component_flat"), "10 values of 4,096 bytes fill 40,960 exactly");
        assertEquals(10, ownSeries("dynamo_component_flat", "dynamo_component_flat_total").size());
        assertEquals(8.0, folded("dynamo_component_tall"), "one bucket, +Inf, count and sum: 16,384 bytes each");
        assertEquals(2, ownSeries("dynamo_component_tall", "dynamo_component_tall_count").size());
    }

    @Test
    void removingAChildGivesBackItsBytesAndRaisingTheLimitRaisesTheBudget() {
        CounterVec vec = at("ns").createCounterVec("by_text", "h", Arrays.asList("text"), null);
        vec.setMaxSeries(10);
        // 12,284 bytes each: 3 fit in 40,960.
        List<Counter> children = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            children.add(vec.withLabelValues(pad(i + "-", SeriesLimit.MAX_LABEL_VALUE_LENGTH, '\u4e2d')));
        }
        assertSame(children.get(3), vec.withLabelValues(SeriesLimit.OVERFLOW_VALUE), "the fourth is folded");
        assertEquals(1.0, folded("dynamo_component_by_text"));

        assertTrue(vec.remove(pad("0-", SeriesLimit.MAX_LABEL_VALUE_LENGTH, '\u4e2d')));
        Counter fifth = vec.withLabelValues(pad("4-", SeriesLimit.MAX_LABEL_VALUE_LENGTH, '\u4e2d'));
        assertNotSame(children.get(3), fifth, "the removed child's bytes came back");
        assertSame(children.get(3), vec.withLabelValues(pad("5-", SeriesLimit.MAX_LABEL_VALUE_LENGTH, '\u4e2d')));

        vec.setMaxSeries(20);
        for (int i = 6; i < 9; i++) {
            assertNotSame(children.get(3), vec.withLabelValues(pad(i + "-", SeriesLimit.MAX_LABEL_VALUE_LENGTH,
                    '\u4e2d')), "81,920 bytes hold 6");
        }
        assertEquals(2.0, folded("dynamo_component_by_text"));
        assertEquals(1, warnings.size(), "one warning per family: " + warnings);
    }

    /**
     * 16 threads creating 96 distinct label sets of 4,000 to 8,000 bytes at once in a family whose count
     * limit (100) they stay within and whose budget (409,600 bytes) they do not: the label sets kept never
     * take more than the budget, each one folded did not fit in what the kept ones left, and every
     * increment and fold is counted.
     */
    @Test
    void labelSetsCreatedAtOnceNearTheBudgetNeverTakeMoreThanItAndAreCountedExactly() throws Exception {
        int threads = 16;
        int each = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                String family = "dynamo_component_crowded_" + round;
                IntCounterVec vec = at("ns").createIntCounterVec("crowded_" + round, "h", Arrays.asList("a", "b"),
                        null);
                vec.setMaxSeries(100);
                long budget = 100L * SeriesLimit.LABEL_BYTES_PER_SERIES;
                atOnce(pool, threads, 10, thread -> {
                    for (int i = 0; i < each; i++) {
                        vec.withLabelValues(pad(thread + "-" + i + "-", 2000 + 131 * (thread + i) % 2000, 'a'),
                                pad("", 2000, 'b')).inc();
                    }
                });

                List<Sample> kept = ownSeries(family, family + "_total");
                long keptBytes = 0;
                List<String> keptFirstValues = new ArrayList<>();
                for (Sample series : kept) {
                    keptBytes += LabelValues.exposedBytes(series.labelValues().subList(1, 3));
                    keptFirstValues.add(series.labelValues().get(1));
                    assertEquals(1.0, series.value(), "round " + round);
                }
                assertTrue(keptBytes <= budget, "round " + round + ": " + keptBytes + " bytes kept");
                for (int t = 0; t < threads; t++) {
                    for (int i = 0; i < each; i++) {
                        String first = pad(t + "-" + i + "-", 2000 + 131 * (t + i) % 2000, 'a');
                        if (!keptFirstValues.contains(first)) {
                            assertTrue(keptBytes + first.length() + 2000 > budget, "round " + round + ": "
                                    + first.length() + " + 2000 bytes folded with " + keptBytes + " of " + budget
                                    + " taken");
                        }
                    }
                }
                int folds = threads * each - kept.size();
                assertTrue(folds > 0, "round " + round + ": the budget was reached");
                assertEquals(folds, folded(family), "round " + round);
                assertEquals(folds, vec.withLabelValues(SeriesLimit.OVERFLOW_VALUE, SeriesLimit.OVERFLOW_VALUE).get(),
                        "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** With the first values of 1,000 to 3,980 bytes, 100 label sets of 150 take more than 409,600 or less. */
    private static final String SECOND = pad("", 2000, 'b');

    /**
     * Threads creating and removing wide label sets at once: the bytes a family holds are those of the
     * children that exist. After all are removed, the budget holds exactly as many label sets as before
     * any was created: not one more (bytes given back twice), not one fewer (bytes never given back).
     */
    @Test
    void removalsRacingCreationsGiveBackExactlyTheBytesTheyTook() throws Exception {
        int threads = 16;
        IntCounterVec vec = at("ns").createIntCounterVec("churned_wide", "h", Arrays.asList("a", "b"), null);
        vec.setMaxSeries(100);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            atOnce(pool, threads, 60, seed -> {
                for (int i = 0; i < 5_000; i++) {
                    int k = (seed * 7 + i) % 150;
                    String first = pad("k" + k + "-", 1000 + k * 20, 'a');
                    if (i % 3 == 0) {
                        vec.remove(first, SECOND);
                    } else {
                        vec.withLabelValues(first, SECOND).inc();
                    }
                }
            });
        } finally {
            pool.shutdownNow();
        }
        for (int k = 0; k < 150; k++) {
            vec.remove(pad("k" + k + "-", 1000 + k * 20, 'a'), SECOND);
        }
        double foldedBefore = folded("dynamo_component_churned_wide");

        // Two values of 4,096 bytes: 50 fill the 409,600 bytes of a limit of 100 exactly.
        for (int i = 0; i < 50; i++) {
            vec.withLabelValues(pad("fill-" + i + "-", 4096, 'c'), pad("", 4096, 'd')).inc();
        }
        assertEquals(foldedBefore, folded("dynamo_component_churned_wide"), "the budget came back whole");
        vec.withLabelValues(pad("fill-50-", 4096, 'c'), pad("", 4096, 'd')).inc();
        assertEquals(foldedBefore + 1, folded("dynamo_component_churned_wide"), "and no more than whole");
    }
}
