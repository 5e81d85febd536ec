package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.HistogramVec;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGaugeVec;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.labels;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeriesLimitTest extends FoldingTest {
    /**
     * The errors the agent counts for every {@code @DynamoEndpoint} method fill their family with each endpoint's
     * error types together: the warning says so, not to use fewer label values (a re-tester's 2,500 endpoints).
     */
    @Test
    void theAgentsErrorsFamilyFullOfEndpointsSaysWhatItHoldsAndWhatToRaise() {
        LimitSetting.MAX_SERIES.set(2);
        for (int endpoint = 0; endpoint < 3; endpoint++) {
            IntCounterVec errors = at("ns", "comp", "handler_" + endpoint).createIntCounterVec(WorkHandler.ERRORS_TOTAL,
                    WorkHandler.ERRORS_TOTAL_HELP, Arrays.asList(WorkHandler.ERROR_TYPE_LABEL), null);
            errors.withLabelValues("IllegalArgumentException").inc();
        }

        assertEquals(1.0, folded("dynamo_component_errors"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("reached its limit of 2 label sets")
                && warnings.get(0).contains("the error types of all @DynamoEndpoint methods together (at most 100 types"
                + " for each endpoint)") && !warnings.get(0).contains("no ids"), warnings.get(0));
    }

    /**
     * A re-tester's endpoint per loop iteration, each with a plain counter of one name: the family grew to 37,000
     * series in 12 s under -Xmx128m, nothing folded, and the heap ran out. Each place's series now takes a place
     * under the family's limit; past it, the counts go to the family's overflow series, on the runtime's page.
     */
    @Test
    void plainMetricsAtMorePlacesThanTheLimitFoldIntoTheOverflowSeries() {
        LimitSetting.MAX_SERIES.set(3);
        for (int place = 0; place < 5; place++) {
            Counter counter = at("ns", "c", "user_" + place).createCounter("ctr", "h", null);
            counter.inc(place + 1);
        }
        at("ns", "c", "user_4").createCounter("ctr", "h", null).inc(10);

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_ctr");
        assertEquals(4, family.samples().size(), family.samples().toString());
        assertEquals(3.0, sample(family, "dynamo_component_ctr_total",
                map("dynamo_namespace", "ns", "dynamo_component", "c", "dynamo_endpoint", "user_2")).value());
        assertEquals(4.0 + 5.0 + 10.0, sample(family, "dynamo_component_ctr_total", map("dynamo_namespace",
                "__overflow__", "dynamo_component", "__overflow__", "dynamo_endpoint", "__overflow__")).value());
        assertEquals(3.0, folded("dynamo_component_ctr"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("metric 'dynamo_component_ctr' reached its limit of 3 places; further"
                + " places") && warnings.get(0).contains("give such values to a vec's label"), warnings.get(0));
        assertTrue(store.snapshot(Arrays.asList("ns", "c", "user_4")).isEmpty(),
                "a folded place's page has none of its own");
    }

    /** A re-tester's vec made at an endpoint per loop iteration: 20,000 places, each with its own overflow series. */
    @Test
    void vecsAtMorePlacesThanTheLimitFoldIntoTheOverflowPlacesVec() {
        LimitSetting.MAX_SERIES.set(3);
        for (int place = 0; place < 6; place++) {
            at("ns", "c", "user_" + place).createCounterVec("by_k", "h", Arrays.asList("k"), null)
                    .withLabelValues("a").inc();
        }

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_by_k");
        assertEquals(4, family.samples().size(), family.samples().toString());
        // The family's 3 label sets are taken too, so the overflow place's vec folds its label set as well.
        assertEquals(3.0, sample(family, "dynamo_component_by_k_total", map("dynamo_namespace", "__overflow__",
                "dynamo_component", "__overflow__", "dynamo_endpoint", "__overflow__", "k", "__overflow__")).value());
        assertEquals(3.0 + 3.0, folded("dynamo_component_by_k"), "3 places and 3 label sets");
    }

    /** A folded place's histogram of other buckets lost its observations: no page showed them (a re-tester). */
    @Test
    void aHistogramFoldedAtAPlaceObservesIntoTheOverflowSeriesWhateverItsBuckets() {
        LimitSetting.MAX_SERIES.set(1);
        at("ns", "c", "e0").createHistogram("h", "h", null, Arrays.asList(1.0, 2.0)).observe(1.0);
        at("ns", "c", "e1").createHistogram("h", "h", null, Arrays.asList(1.0, 2.0)).observe(1.0);
        at("ns", "c", "e2").createHistogram("h", "h", null, Arrays.asList(5.0)).observe(3.0);

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_h");
        Map<String, String> overflow = map("dynamo_namespace", "__overflow__", "dynamo_component", "__overflow__",
                "dynamo_endpoint", "__overflow__");
        assertEquals(2.0, sample(family, "dynamo_component_h_count", overflow).value());
        assertEquals(4.0, sample(family, "dynamo_component_h_sum", overflow).value());
    }

    /** Callback metrics at more places than the limit threw into the application from the second fold on (a re-tester). */
    @Test
    void callbackMetricsAreNotFoldedByPlace() {
        LimitSetting.MAX_SERIES.set(2);
        for (int place = 0; place < 5; place++) {
            int value = place;
            at("ns", "c", "e" + place).createGaugeWithCallback("cbg", "h", null, () -> value);
        }

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_cbg");
        assertEquals(5, family.samples().size(), family.samples().toString());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    /** The agent's families have a series per annotated method, which the code bounds: never folded. */
    @Test
    void theAgentsWorkHandlerFamiliesAreNeverFoldedByPlace() {
        LimitSetting.MAX_SERIES.set(2);
        for (int place = 0; place < 4; place++) {
            at("ns", "c", "handler_" + place).createIntCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                    null).inc();
        }

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_requests");
        assertEquals(4, family.samples().size(), family.samples().toString());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void foldsALabelSetWithAValueLongerThanTheMaximumAndKeepsShortOnes() {
        CounterVec vec = at("ns").createCounterVec("by_body", "h", Arrays.asList("body"), null);
        char[] longValue = new char[SeriesLimit.MAX_LABEL_VALUE_LENGTH + 1];
        Arrays.fill(longValue, 'x');
        char[] longestKept = new char[SeriesLimit.MAX_LABEL_VALUE_LENGTH];
        Arrays.fill(longestKept, 'y');

        vec.withLabelValues(new String(longValue)).inc();
        vec.withLabelValues(new String(longValue) + "z").inc();
        vec.withLabelValues(new String(longestKept)).inc();

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_by_body");
        assertEquals(2, family.samples().size(), "the overflow series and the longest value kept");
        assertEquals(2.0, sample(family, "dynamo_component_by_body_total",
                map("dynamo_namespace", "ns", "body", "__overflow__")).value());
        assertEquals(2.0, folded("dynamo_component_by_body"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("label value of " + (SeriesLimit.MAX_LABEL_VALUE_LENGTH + 1)
                + " characters"), warnings.get(0));
    }

    /** A tester's {@code user="__overflow__"} took one of the two places and then took in the folds too. */
    @Test
    void theOverflowSeriesAskedForByItsValuesTakesNoPlaceUnderTheLimit() {
        CounterVec vec = at("ns").createCounterVec("by_name", "h", Arrays.asList("user"), null);
        vec.setMaxSeries(2);

        vec.withLabelValues("__overflow__").inc(10);
        vec.withLabelValues("alice").inc();
        vec.withLabelValues("bob").inc(5);
        vec.withLabelValues("carol").inc(2);

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_by_name");
        assertEquals(3, family.samples().size(), family.samples().toString());
        assertEquals(5.0, sample(family, "dynamo_component_by_name_total", map("dynamo_namespace", "ns", "user", "bob"))
                .value(), "bob has the second place");
        assertEquals(12.0, sample(family, "dynamo_component_by_name_total",
                map("dynamo_namespace", "ns", "user", "__overflow__")).value());
        assertEquals(1.0, folded("dynamo_component_by_name"), "only carol was folded");
    }

    @Test
    void foldsLabelSetsPastTheLimitIntoOneOverflowSeriesAndCountsThem() {
        CounterVec vec = at("ns").createCounterVec("by_user", "h", Arrays.asList("user", "kind"), null);
        vec.setMaxSeries(3);

        for (int i = 0; i < 10; i++) {
            vec.withLabelValues("user" + i, "k").inc();
        }

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_by_user");
        assertEquals(4, family.samples().size(), family.samples().toString());
        assertEquals(7.0, sample(family, "dynamo_component_by_user_total",
                map("dynamo_namespace", "ns", "user", "__overflow__", "kind", "__overflow__")).value());
        assertEquals(1.0, sample(family, "dynamo_component_by_user_total",
                map("dynamo_namespace", "ns", "user", "user0", "kind", "k")).value());
        assertEquals(7.0, folded("dynamo_component_by_user"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("dynamo_component_by_user") && warnings.get(0).contains("limit of 3")
                && warnings.get(0).contains("__overflow__") && warnings.get(0).contains(FOLDED + "_total"),
                warnings.get(0));
    }

    @Test
    void admittedChildrenStayTheSameObjectsAfterTheLimitIsReached() {
        CounterVec vec = at("ns").createCounterVec("kept", "h", Arrays.asList("k"), null);
        vec.setMaxSeries(2);
        Counter first = vec.withLabelValues("a");
        vec.withLabelValues("b");
        Counter overflow = vec.withLabelValues("c");

        assertSame(first, vec.withLabelValues("a"));
        assertNotSame(first, overflow);
        assertSame(overflow, vec.withLabelValues("d"));
        assertEquals(2.0, folded("dynamo_component_kept"), "only lookups of label sets past the limit count");
    }

    @Test
    void theLimitSpansEveryPlaceTheFamilyIsCreatedAt() {
        LimitSetting.MAX_SERIES.set(4);
        IntGaugeVec one = at("ns", "comp", "ep1").createIntGaugeVec("load", "h", Arrays.asList("model"), null);
        IntGaugeVec two = at("ns", "comp", "ep2").createIntGaugeVec("load", "h", Arrays.asList("model"), null);

        for (int i = 0; i < 3; i++) {
            one.withLabelValues("m" + i).set(1);
        }
        for (int i = 0; i < 3; i++) {
            two.withLabelValues("m" + i).set(1);
        }

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_load");
        long overflowSeries = family.samples().stream()
                .filter(s -> labels(s).get("model").equals(SeriesLimit.OVERFLOW_VALUE)).count();
        assertEquals(4 + overflowSeries, family.samples().size());
        assertEquals(1, overflowSeries, "the second endpoint gets one place and folds the rest");
        assertEquals(2.0, folded("dynamo_component_load"));
    }

    @Test
    void removingAChildFreesItsPlace() {
        CounterVec vec = at("ns").createCounterVec("freed", "h", Arrays.asList("k"), null);
        vec.setMaxSeries(1);
        vec.withLabelValues("a");
        assertTrue(vec.remove("a"));

        vec.withLabelValues("b").inc();

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_freed");
        assertEquals(1, family.samples().size());
        assertEquals("b", family.samples().get(0).labelValues().get(1));
        assertEquals(0.0, folded("dynamo_component_freed"), "nothing folded");
    }

    /**
     * 16 threads creating the same 6 label sets at once in a family limited to 6: every place a racing
     * creation took counted, so a family within its limit folded some of them (a tester: 1 to 58
     * increments in 9 of 10 runs of 300 rounds).
     */
    @Test
    void threadsCreatingTheSameLabelSetsAtOnceNeverFoldAFamilyWithinItsLimit() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 200; round++) {
                IntCounterVec vec = at("ns").createIntCounterVec("raced_" + round, "h", Arrays.asList("k"), null);
                vec.setMaxSeries(6);
                atOnce(pool, threads, 10, first -> {
                    for (int i = 0; i < 6; i++) {
                        vec.withLabelValues("k" + (first + i) % 6).inc();
                    }
                });
                assertEquals(0, vec.withLabelValues(SeriesLimit.OVERFLOW_VALUE).get(), "round " + round);
                for (int i = 0; i < 6; i++) {
                    assertEquals(threads, vec.withLabelValues("k" + i).get(), "round " + round + ", k" + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    /**
     * Removals racing creations: a place taken stands for a child that exists. Before, a removed
     * child's place came back only after its removal, and a creation in between found the family of
     * at most 6 label sets full at 8.
     */
    @Test
    void removalsRacingCreationsNeverFoldAFamilyWithinItsLimit() throws Exception {
        int threads = 16;
        IntCounterVec vec = at("ns").createIntCounterVec("churned", "h", Arrays.asList("k"), null);
        vec.setMaxSeries(8);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            atOnce(pool, threads, 60, seed -> {
                for (int i = 0; i < 20_000; i++) {
                    String key = "k" + (seed * 7 + i) % 6;
                    if (i % 4 == 0) {
                        vec.remove(key);
                    } else {
                        vec.withLabelValues(key).inc();
                    }
                }
            });
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, vec.withLabelValues(SeriesLimit.OVERFLOW_VALUE).get());
        assertTrue(warnings.isEmpty(), warnings.toString());
        for (int i = 0; i < 6; i++) {
            vec.remove("k" + i);
        }
        for (int i = 0; i < 8; i++) {
            vec.withLabelValues("fresh" + i).inc();
        }
        assertEquals(0, vec.withLabelValues(SeriesLimit.OVERFLOW_VALUE).get(), "every place came back");
    }

    @Test
    void aLabelledFamilysFoldedCounterShowsZeroBeforeItsFirstFold() {
        // Scraped before any fold, so that increase() and rate() see the first fold, even a burst.
        assertNull(findFamily(store.snapshot(), FOLDED), "no labelled family yet, so no counter");
        at("ns").createCounter("plain", "h", null);
        assertNull(findFamily(store.snapshot(), FOLDED), "a metric without variable labels never folds");

        CounterVec vec = at("ns").createCounterVec("by_model", "h", Arrays.asList("model"), null);
        vec.setMaxSeries(2);
        assertEquals(0.0, folded("dynamo_component_by_model"));

        for (String model : Arrays.asList("a", "b", "c", "d", "e")) {
            vec.withLabelValues(model).inc();
        }
        assertEquals(3.0, folded("dynamo_component_by_model"));
        FamilySnapshot counter = findFamily(store.snapshot(), FOLDED);
        assertEquals(1, counter.samples().size(), "one series per labelled family, none for the counter's own");
    }

    @Test
    void histogramVecsFoldToo() {
        HistogramVec vec = at("ns").createHistogramVec("latency", "h", Arrays.asList("k"), null,
                Arrays.asList(1.0));
        vec.setMaxSeries(1);
        vec.withLabelValues("a").observe(0.5);
        vec.withLabelValues("b").observe(2);
        vec.withLabelValues("c").observe(2);

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_latency");
        assertEquals(2.0, sample(family, "dynamo_component_latency_count",
                map("dynamo_namespace", "ns", "k", "__overflow__")).value());
    }

    @Test
    void aMillionDistinctLabelValuesKeepTheFamilyAtTheDefaultLimit() {
        CounterVec vec = at("ns").createCounterVec("ids", "h", Arrays.asList("id"), null);

        for (int i = 0; i < 1_000_000; i++) {
            vec.withLabelValues(Integer.toString(i)).inc();
        }

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_ids");
        assertEquals(LimitSetting.MAX_SERIES.defaultValue + 1, family.samples().size());
        assertEquals(1_000_000 - LimitSetting.MAX_SERIES.defaultValue, folded("dynamo_component_ids"));
    }

    @Test
    void rejectsALimitBelowOne() {
        CounterVec vec = at("ns").createCounterVec("bad_limit", "h", Arrays.asList("k"), null);

        String message = assertThrows(IllegalArgumentException.class, () -> vec.setMaxSeries(0)).getMessage();

        assertTrue(message.contains("dynamo_component_bad_limit") && message.contains("at least 1"), message);
        assertThrows(IllegalArgumentException.class, () -> LimitSetting.MAX_SERIES.set(-5));
    }

    @Test
    void readsTheDefaultLimitOnlyFromWholeNumbersOfAtLeastOne() {
        assertEquals(Integer.valueOf(50), LimitSetting.parse(" 50 "));
        for (String bad : new String[] {"0", "-1", "abc", "1.5", ""}) {
            assertNull(LimitSetting.parse(bad), bad);
        }
    }

    @Test
    void saysWhetherARefusedDefaultLimitIsOutOfRangeOrNotANumber() {
        assertNull(LimitSetting.parse("99999999999"));
        assertEquals("dyn.metrics.max.series='99999999999' is out of range for a series limit; use a whole number"
                + " from 1 to 2147483647 (label sets per metric). Using 2000",
                LimitSetting.MAX_SERIES.refusal("dyn.metrics.max.series", "99999999999"));
        assertEquals("DYN_METRICS_MAX_SERIES='0' is out of range for a series limit; use a whole number from 1 to"
                + " 2147483647 (label sets per metric). Using 2000", LimitSetting.MAX_SERIES.refusal("DYN_METRICS_MAX_SERIES", "0"));
        assertEquals("DYN_METRICS_MAX_SERIES='lots' is not a series limit; use a whole number from 1 to 2147483647"
                + " (label sets per metric). Using 2000", LimitSetting.MAX_SERIES.refusal("DYN_METRICS_MAX_SERIES", "lots"));
    }

    @Test
    void theFoldedCounterIsOnTheRuntimeLevelWithoutThePrefix() {
        CounterVec vec = at("ns", "comp").createCounterVec("few", "h", Arrays.asList("k"), null);
        vec.setMaxSeries(1);
        vec.withLabelValues("a");
        vec.withLabelValues("b");

        FamilySnapshot counter = findFamily(store.snapshot(), FOLDED);
        Map<String, String> onlyFamily = labels(counter.samples().get(0));
        assertEquals(map("family", "dynamo_component_few"), onlyFamily);
        assertEquals(MetricType.Exposition.COUNTER, counter.type());
    }

    /** Without the agent, a fresh copy of the API reads the system property when it first needs the limit. */
    @Test
    void withoutTheAgentTheSystemPropertySetsTheDefault() {
        assertEquals(Integer.valueOf(3), limitOfAFreshCopyWithProperty("3"));
        assertEquals(Integer.valueOf(LimitSetting.MAX_SERIES.defaultValue), limitOfAFreshCopyWithProperty("zero"));
        assertEquals(1, warnings.stream().filter(w -> w.contains("dyn.metrics.max.series='zero'")).count(),
                warnings.toString());
    }

    private Integer limitOfAFreshCopyWithProperty(String value) {
        String before = System.getProperty(LimitSetting.MAX_SERIES.property);
        System.setProperty(LimitSetting.MAX_SERIES.property, value);
        try (IsolatedApi copy = new IsolatedApi()) {
            java.util.function.BiConsumer<String, String> sink = (level, message) -> warnings.add(message);
            copy.callStatic(ApiLog.class.getName(), "setSink", sink);
            return (Integer) copy.callStatic(ExportBridge.class.getName(), "defaultMaxSeries");
        } finally {
            if (before == null) {
                System.clearProperty(LimitSetting.MAX_SERIES.property);
            } else {
                System.setProperty(LimitSetting.MAX_SERIES.property, before);
            }
        }
    }
}
