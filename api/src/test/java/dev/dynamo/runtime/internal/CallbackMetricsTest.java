package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Gauge;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallbackMetricsTest {
    @RegisterExtension
    final ApiWarnings apiWarnings = new ApiWarnings();
    private final List<String> warnings = apiWarnings.messages();
    private MetricStore store;
    private MetricsRegistry metrics;

    @BeforeEach
    void freshStore() {
        store = new MetricStore();
        metrics = new ScopedMetricsRegistry(store, Arrays.asList("ns", "comp"));
    }

    private static final Map<String, String> PLACE = map("dynamo_namespace", "ns", "dynamo_component", "comp");

    private static Map<String, String> place(String... more) {
        Map<String, String> labels = new LinkedHashMap<String, String>(PLACE);
        labels.putAll(map(more));
        return labels;
    }

    private double value(String family, String sampleName, Map<String, String> labels) {
        return sample(findFamily(store.snapshot(), family), sampleName, labels).value();
    }

    private int sampleCount(String family) {
        return findFamily(store.snapshot(), family).samples().size();
    }

    @Test
    void gaugeWithCallbackShowsTheSuppliersValueAtEveryScrape() {
        AtomicInteger queue = new AtomicInteger(3);
        metrics.createGaugeWithCallback("queue_length", "Requests waiting", map("queue", "main"), queue::get);

        assertEquals(3.0, value("dynamo_component_queue_length", "dynamo_component_queue_length",
                place("queue", "main")));
        queue.set(7);
        assertEquals(7.0, value("dynamo_component_queue_length", "dynamo_component_queue_length",
                place("queue", "main")));
    }

    @Test
    void counterWithCallbackIsExposedWithTotal() {
        AtomicInteger hits = new AtomicInteger(41);
        metrics.createCounterWithCallback("cache_hits", "Cache hits", null, hits::incrementAndGet);

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_cache_hits");
        assertEquals(MetricType.Exposition.COUNTER, family.type());
        assertEquals(42.0, sample(family, "dynamo_component_cache_hits_total", PLACE).value());
    }

    @Test
    void aCounterCallbackReturningANegativeValueLeavesOnlyItsSeriesOut() {
        metrics.createCounterWithCallback("broken_total", "h", null, () -> -1);

        assertEquals(0, sampleCount("dynamo_component_broken"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("dynamo_component_broken") && warnings.get(0).contains(">= 0"),
                warnings.get(0));
    }

    @Test
    void labelledCallbackGivesSeveralSeriesFromOneSupplier() {
        Map<List<String>, Double> sizes = new HashMap<List<String>, Double>();
        sizes.put(Arrays.asList("tokens"), 10.0);
        sizes.put(Arrays.asList("prompts"), 4.0);
        metrics.createGaugeVecWithCallback("cache_entries", "Entries", Arrays.asList("cache"), null,
                () -> sizes);

        assertEquals(10.0, value("dynamo_component_cache_entries", "dynamo_component_cache_entries",
                place("cache", "tokens")));
        sizes.remove(Arrays.asList("tokens"));
        assertEquals(1, sampleCount("dynamo_component_cache_entries"), "series follow the supplier");
    }

    @Test
    void labelledCallbackLeavesOutEntriesWithTheWrongLabelsAndReportsOnce() {
        Map<List<String>, Double> given = new LinkedHashMap<List<String>, Double>();
        given.put(Arrays.asList("a", "b"), 1.0);
        given.put(Arrays.asList("only_one"), 2.0);
        given.put(Arrays.asList("c", null), 3.0);
        given.put(Arrays.asList("d", "e"), null);
        metrics.createCounterVecWithCallback("pairs", "h", Arrays.asList("x", "y"), null, () -> given);

        assertEquals(1.0, value("dynamo_component_pairs", "dynamo_component_pairs_total", place("x", "a", "y", "b")));
        assertEquals(1, sampleCount("dynamo_component_pairs"));
        store.snapshot();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("[only_one]"), warnings.get(0));
    }

    /** {@code List.of} and {@code List.copyOf} throw at {@code contains(null)}: a check that asked so lost every series. */
    @Test
    void labelledCallbackTakesKeysOfListsThatCannotHoldNull() {
        Map<List<String>, Double> given = new LinkedHashMap<List<String>, Double>();
        given.put(List.of("a"), 1.0);
        given.put(List.copyOf(Arrays.asList("b")), 2.0);
        given.put(Arrays.asList("c"), 3.0);
        given.put(Arrays.asList((String) null), 4.0);
        metrics.createGaugeVecWithCallback("immutable_keys", "h", Arrays.asList("key"), null, () -> given);

        assertEquals(1.0, value("dynamo_component_immutable_keys", "dynamo_component_immutable_keys", place("key", "a")));
        assertEquals(2.0, value("dynamo_component_immutable_keys", "dynamo_component_immutable_keys", place("key", "b")));
        assertEquals(3.0, value("dynamo_component_immutable_keys", "dynamo_component_immutable_keys", place("key", "c")));
        assertEquals(3, sampleCount("dynamo_component_immutable_keys"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("[null]") && warnings.get(0).contains("one non-null String per label name"),
                warnings.get(0));
    }

    /**
     * A map from Groovy or a raw type may hold other types than the declared ones: an Integer value is a
     * number, a label value that is no String leaves its entry out, and the other entries are shown.
     * Before, a ClassCastException left out every series of the callback (a re-tester).
     */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void labelledCallbackTakesAnyNumberAndLeavesOutOnlyAnEntryOfTheWrongType() {
        Map given = new LinkedHashMap();
        given.put(Arrays.asList("a"), 5);
        given.put(Arrays.asList(7), 1.0);
        given.put(Arrays.asList("b"), "many");
        given.put(Arrays.asList("c"), 2.5);
        metrics.createGaugeVecWithCallback("raw_types", "h", Arrays.asList("key"), null,
                () -> (Map<List<String>, Double>) given);

        assertEquals(5.0, value("dynamo_component_raw_types", "dynamo_component_raw_types", place("key", "a")));
        assertEquals(2.5, value("dynamo_component_raw_types", "dynamo_component_raw_types", place("key", "c")));
        assertEquals(2, sampleCount("dynamo_component_raw_types"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("[7]"), warnings.get(0));
    }

    @Test
    void labelledCallbackGivesOneSeriesPerLabelSetWhenItsMapHoldsEqualKeys() {
        Map<List<String>, Double> byIdentity = new IdentityHashMap<List<String>, Double>();
        byIdentity.put(Arrays.asList("x"), 2.0);
        byIdentity.put(Arrays.asList("x"), 1.0);
        metrics.createGaugeVecWithCallback("twice", "h", Arrays.asList("k"), null, () -> byIdentity);

        assertEquals(1, sampleCount("dynamo_component_twice"), "a page with one series per label set");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("[x] more than once"), warnings.get(0));
    }

    @Test
    void labelledCallbackKeepsAtMostTheSeriesLimit() {
        LimitSetting.MAX_SERIES.set(5);
        try {
            Map<List<String>, Double> many = new HashMap<List<String>, Double>();
            for (int i = 0; i < 50; i++) {
                many.put(Collections.singletonList("v" + i), 1.0);
            }
            metrics.createGaugeVecWithCallback("many", "h", Arrays.asList("k"), null, () -> many);

            assertEquals(5, sampleCount("dynamo_component_many"));
        } finally {
            LimitSetting.MAX_SERIES.set(LimitSetting.MAX_SERIES.defaultValue);
        }
    }

    /** The bound a vec has on the page bytes of its label values: 4 values of 4,096 CJK characters, 49,152 bytes. */
    @Test
    void labelledCallbackKeepsLabelValuesOfAtMostTheByteBudget() {
        LimitSetting.MAX_SERIES.set(100);
        try {
            Map<List<String>, Double> wide = new LinkedHashMap<List<String>, Double>();
            for (int i = 0; i < 50; i++) {
                List<String> values = new ArrayList<String>();
                for (int j = 0; j < 4; j++) {
                    StringBuilder value = new StringBuilder(i + "-" + j + "-");
                    while (value.length() < SeriesLimit.MAX_LABEL_VALUE_LENGTH) {
                        value.append('\u4e2d');
                    }
                    values.add(value.toString());
                }
                wide.put(values, 1.0);
            }
            metrics.createGaugeVecWithCallback("wide", "h", Arrays.asList("a", "b", "c", "d"), null, () -> wide);

            // 409,600 bytes hold 8 label sets of about 49,120.
            assertEquals(8, sampleCount("dynamo_component_wide"));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("more than 409600 bytes on a page"), warnings.get(0));
        } finally {
            LimitSetting.MAX_SERIES.set(LimitSetting.MAX_SERIES.defaultValue);
        }
    }

    @Test
    void aThrowingCallbackCostsOnlyItsOwnSeriesAndIsReportedOnce() {
        metrics.createGaugeWithCallback("fails", "h", null, () -> {
            throw new IllegalStateException("backend down");
        });
        Gauge plain = metrics.createGauge("plain", "h", null);
        plain.set(5);

        for (int i = 0; i < 3; i++) {
            List<FamilySnapshot> page = store.snapshot();
            assertEquals(0, findFamily(page, "dynamo_component_fails").samples().size());
            assertEquals(5.0, sample(findFamily(page, "dynamo_component_plain"), "dynamo_component_plain", PLACE)
                    .value());
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("backend down") && warnings.get(0).contains("dynamo_component_fails"),
                warnings.get(0));
    }

    @Test
    void aCallbackWhoseExceptionCannotBePrintedIsReportedByItsClassAndNothingReachesTheApplication()
            throws Exception {
        List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<Throwable>());
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, failed) -> uncaught.add(failed));
        try {
            metrics.createGaugeWithCallback("fails", "h", null, () -> {
                throw new UnprintableException();
            });
            metrics.createGaugeWithCallback("works", "h", null, () -> 3);

            for (int i = 0; i < 3; i++) {
                List<FamilySnapshot> page = store.snapshot();
                assertEquals(0, findFamily(page, "dynamo_component_fails").samples().size());
                assertEquals(1, findFamily(page, "dynamo_component_works").samples().size());
            }
            Thread.sleep(100);

            assertEquals(Collections.emptyList(), uncaught, "nothing thrown out of a callback thread");
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains(UnprintableException.class.getName()
                    + " (its toString() threw java.lang.UnsupportedOperationException)"), warnings.get(0));
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    /** An application's exception whose {@code toString()} throws (a re-tester's). */
    static final class UnprintableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new UnsupportedOperationException("no toString");
        }
    }

    @Test
    void aHangingCallbackDelaysOnlyTheFirstScrapeAndIsNotStartedAgain() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        metrics.createGaugeWithCallback("hangs", "h", null, () -> {
            calls.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return 1;
        });
        metrics.createGaugeWithCallback("quick", "h", null, () -> 2);

        long start = System.nanoTime();
        List<FamilySnapshot> first = store.snapshot();
        long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        List<FamilySnapshot> second = store.snapshot();

        assertTrue(firstMillis >= ScrapeCallbacks.DEADLINE_MILLIS - 50, "waited for the deadline: " + firstMillis);
        assertEquals(0, findFamily(first, "dynamo_component_hangs").samples().size());
        assertEquals(0, findFamily(second, "dynamo_component_hangs").samples().size());
        assertEquals(1, findFamily(second, "dynamo_component_quick").samples().size());
        assertEquals(1, calls.get(), "a callback still running is not started again");
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (findFamily(store.snapshot(), "dynamo_component_hangs").samples().isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, findFamily(store.snapshot(), "dynamo_component_hangs").samples().size(),
                "back once it returns");
    }

    @Test
    void callbacksQueuedBehindHungOnesGetAThreadAndAreInTheNextScrape() {
        CountDownLatch release = new CountDownLatch(1);
        // More hung callbacks than the pool's base threads, registered before the healthy one.
        for (int i = 0; i <= ScrapeCallbacks.BASE_THREADS; i++) {
            metrics.createGaugeWithCallback("stuck" + i, "h", null, () -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                return 1;
            });
        }
        metrics.createGaugeWithCallback("queue_length", "h", null, () -> 42);
        try {
            store.snapshot();
            List<FamilySnapshot> second = store.snapshot();
            List<FamilySnapshot> third = store.snapshot();

            assertEquals(42.0, sample(findFamily(second, "dynamo_component_queue_length"),
                    "dynamo_component_queue_length", PLACE).value(), "the healthy callback is back in the next scrape");
            assertEquals(1, findFamily(third, "dynamo_component_queue_length").samples().size());
            assertEquals(0, findFamily(third, "dynamo_component_stuck0").samples().size());
            for (String warning : warnings) {
                assertTrue(!warning.contains("queue_length"), "only the hung callbacks are reported: " + warnings);
            }
            assertEquals(ScrapeCallbacks.BASE_THREADS + 1, warnings.size(), warnings.toString());
        } finally {
            release.countDown();
        }
    }

    @Test
    void callbacksThatEachReturnInTimeAreAllOnThePageWhateverTheirNumber() {
        int count = 20;
        for (int i = 0; i < count; i++) {
            metrics.createGaugeWithCallback("pool_" + i, "h", null, () -> {
                sleep(100);
                return 1;
            });
        }

        List<FamilySnapshot> page = store.snapshot();

        List<String> missing = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            if (findFamily(page, "dynamo_component_pool_" + i).samples().isEmpty()) {
                missing.add("pool_" + i);
            }
        }
        assertEquals(Collections.emptyList(), missing, "each took 100 ms, a fifth of the deadline");
        assertEquals(Collections.emptyList(), warnings);
    }

    @Test
    void callbacksLeftWithoutAThreadGoFirstAtTheNextScrapeAndAreReportedOnce() throws Exception {
        // More callbacks of 300 ms than the threads run within a deadline: 16 return in time, 16 more start
        // too late, 8 never start before the deadline.
        int count = 40;
        AtomicInteger started = new AtomicInteger();
        AtomicInteger returned = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            metrics.createGaugeWithCallback("slow_" + i, "h", null, () -> {
                started.incrementAndGet();
                sleep(300);
                returned.incrementAndGet();
                return 1;
            });
        }
        boolean[] seen = new boolean[count];
        for (int scrape = 0; scrape < 3; scrape++) {
            List<FamilySnapshot> page = store.snapshot();
            for (int i = 0; i < count; i++) {
                seen[i] |= !findFamily(page, "dynamo_component_slow_" + i).samples().isEmpty();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (returned.get() < started.get() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        List<Integer> neverOnAPage = new ArrayList<Integer>();
        for (int i = 0; i < count; i++) {
            if (!seen[i]) {
                neverOnAPage.add(i);
            }
        }
        assertEquals(Collections.emptyList(), neverOnAPage, "those a scrape left out go first at the next");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("waited for one of at most " + ScrapeCallbacks.MAX_THREADS
                + " callback threads"), warnings.get(0));
    }

    /**
     * Callbacks slower than the deadline, registered first, hold every thread at the first scrape; after it the
     * quick ones go first, and are on every page. Before, the slow ones were taken for crowded out (their runs
     * began a moment after the wait did), went first at every scrape, and kept the quick ones off 18 of 20 pages
     * (a re-tester).
     */
    @Test
    void slowCallbacksRegisteredFirstDoNotKeepQuickOnesOffThePage() throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger returned = new AtomicInteger();
        for (int i = 0; i < ScrapeCallbacks.MAX_THREADS; i++) {
            metrics.createGaugeWithCallback("slow_" + i, "h", null, () -> {
                started.incrementAndGet();
                sleep(700);
                returned.incrementAndGet();
                return 1;
            });
        }
        for (int i = 0; i < 4; i++) {
            metrics.createGaugeWithCallback("quick_" + i, "h", null, () -> 2);
        }
        List<Integer> quickOnPage = new ArrayList<Integer>();
        for (int scrape = 0; scrape < 4; scrape++) {
            List<FamilySnapshot> page = store.snapshot();
            int quick = 0;
            for (int i = 0; i < 4; i++) {
                quick += findFamily(page, "dynamo_component_quick_" + i).samples().size();
            }
            quickOnPage.add(quick);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (returned.get() < started.get() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        assertEquals(Arrays.asList(4, 4, 4), quickOnPage.subList(1, 4), "after the first page: " + quickOnPage);
        for (String warning : warnings) {
            assertTrue(warning.contains("did not return within 500 ms") || warning.contains("waited for one of")
                    || warning.contains("metric callback threads are held by callbacks that have not returned"), warning);
        }
    }

    /** A callback slower than the deadline, alone, is late: not said to have waited for a thread (a re-tester). */
    @Test
    void aLoneSlowCallbackIsReportedLateNotCrowdedOut() {
        metrics.createGaugeWithCallback("slow", "h", null, () -> {
            sleep(1200);
            return 1;
        });

        store.snapshot();

        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("did not return within 500 ms"), warnings.get(0));
    }

    @Test
    void aScrapeFromACallbackRunsNoCallbackAndDoesNotWaitForItself() {
        AtomicInteger nestedPageLength = new AtomicInteger();
        metrics.createGaugeWithCallback("answers", "h", null, () -> 7);
        metrics.createGaugeWithCallback("page_bytes", "h", null, () -> {
            nestedPageLength.set(metrics.prometheusExpfmt().length());
            return nestedPageLength.get();
        });

        store.snapshot();
        long start = System.nanoTime();
        List<FamilySnapshot> page = store.snapshot();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(1, findFamily(page, "dynamo_component_page_bytes").samples().size(), "returned in time");
        assertTrue(millis < ScrapeCallbacks.DEADLINE_MILLIS, "did not wait for itself: " + millis + " ms");
        assertTrue(nestedPageLength.get() > 0);
        assertEquals(Collections.emptyList(), warnings);
    }

    @Test
    void callbacksRunWithTheirOwnClassLoaderAsContextAndTheirThreadKeepsNoneOfItsMaker() throws Exception {
        ClassLoader makersLoader = new ClassLoader(null) {
        };
        List<ClassLoader> during = Collections.synchronizedList(new ArrayList<ClassLoader>());
        List<Thread> threads = Collections.synchronizedList(new ArrayList<Thread>());
        metrics.createGaugeWithCallback("context", "h", null, () -> {
            during.add(Thread.currentThread().getContextClassLoader());
            threads.add(Thread.currentThread());
            return 1;
        });
        Thread maker = new Thread(() -> store.snapshot());
        maker.setContextClassLoader(makersLoader);
        maker.start();
        maker.join(10000);

        assertEquals(Collections.singletonList(getClass().getClassLoader()), during);
        Thread poolThread = threads.get(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (poolThread.getContextClassLoader() != null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(null, poolThread.getContextClassLoader(), "the maker's loader is not kept between runs");
    }

    @Test
    void callbackThreadsEndRightAfterTheScrape() throws Exception {
        List<Thread> threads = Collections.synchronizedList(new ArrayList<Thread>());
        metrics.createGaugeWithCallback("idle", "h", null, () -> {
            threads.add(Thread.currentThread());
            return 1;
        });

        store.snapshot();
        threads.get(0).join(TimeUnit.SECONDS.toMillis(3));

        assertTrue(!threads.get(0).isAlive(), "ended within 3 s, idle for " + ScrapeCallbacks.IDLE_MILLIS + " ms");
    }

    /** A bad entry whose key cannot be printed is left out alone; the good entries stay (a re-tester's lost them all). */
    @Test
    void aBadEntryWhoseKeyCannotBePrintedIsLeftOutAlone() {
        metrics.createGaugeVecWithCallback("by_shard", "h", Arrays.asList("shard"), null, () -> {
            Map<List<String>, Double> values = new LinkedHashMap<List<String>, Double>();
            values.put(new UnprintableList("a", "extra"), 1.0);
            values.put(Arrays.asList("good"), 2.0);
            return values;
        });

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_by_shard");

        assertEquals(2.0, sample(family, "dynamo_component_by_shard", place("shard", "good")).value());
        assertEquals(1, family.samples().size(), family.samples().toString());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("it returned label values " + UnprintableList.class.getName()
                + " (its toString() threw java.lang.UnsupportedOperationException)"), warnings.get(0));
    }

    /** A list of the application's whose {@code toString()} throws. */
    static final class UnprintableList extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        UnprintableList(String... values) {
            super(Arrays.asList(values));
        }

        @Override
        public String toString() {
            throw new UnsupportedOperationException("no toString");
        }
    }

    @Test
    void aCounterCallbackGivingInfinityIsLeftOutAndMinusZeroIsZero() {
        metrics.createCounterWithCallback("endless", "h", null, () -> Double.POSITIVE_INFINITY);
        metrics.createCounterWithCallback("minus_zero", "h", null, () -> -0.0);
        metrics.createCounterVecWithCallback("endless_vec", "h", Arrays.asList("k"), null, () -> {
            Map<List<String>, Double> values = new LinkedHashMap<List<String>, Double>();
            values.put(Arrays.asList("inf"), Double.POSITIVE_INFINITY);
            values.put(Arrays.asList("zero"), -0.0);
            return values;
        });

        List<FamilySnapshot> page = store.snapshot();

        assertEquals(0, findFamily(page, "dynamo_component_endless").samples().size());
        assertEquals(0.0, sample(findFamily(page, "dynamo_component_minus_zero"), "dynamo_component_minus_zero_total",
                PLACE).value(), "0.0, not -0.0");
        FamilySnapshot vec = findFamily(page, "dynamo_component_endless_vec");
        assertEquals(1, vec.samples().size(), vec.samples().toString());
        assertEquals(0.0, sample(vec, "dynamo_component_endless_vec_total", place("k", "zero")).value());
        assertEquals(2, warnings.size(), warnings.toString());
        for (String warning : warnings) {
            assertTrue(warning.contains("Infinity") && warning.contains("finite and >= 0"), warning);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void updateCallbacksRunBeforeEachScrape() {
        Gauge size = metrics.createGauge("cache_size", "h", null);
        AtomicInteger cache = new AtomicInteger(1);
        metrics.addUpdateCallback(() -> size.set(cache.get()));

        assertEquals(1.0, value("dynamo_component_cache_size", "dynamo_component_cache_size", PLACE));
        cache.set(9);
        assertEquals(9.0, value("dynamo_component_cache_size", "dynamo_component_cache_size", PLACE));
    }

    @Test
    void aFailingUpdateCallbackIsNamedByWhereItWasWrittenAndItsMetricsKeepTheirValues() {
        Gauge size = metrics.createGauge("cache_size", "h", null);
        size.set(3);
        metrics.addUpdateCallback(() -> {
            throw new IllegalStateException("cache closed");
        });

        assertEquals(3.0, value("dynamo_component_cache_size", "dynamo_component_cache_size", PLACE));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("update callback (a lambda of " + CallbackMetricsTest.class.getName()
                + ") added at ns/comp failed; the metrics it sets keep the values they had until it succeeds"),
                warnings.get(0));
        String nullCallback = assertThrows(IllegalArgumentException.class, () -> metrics.addUpdateCallback(null))
                .getMessage();
        assertTrue(nullCallback.startsWith("The update callback is null; pass a function that sets metrics"),
                nullCallback);
    }

    @Test
    void callbacksOfAnotherPlaceDoNotRunForThisPlacesExposition() {
        MetricsRegistry elsewhere = new ScopedMetricsRegistry(store, Arrays.asList("other"));
        AtomicInteger otherRuns = new AtomicInteger();
        AtomicInteger ownRuns = new AtomicInteger();
        elsewhere.addUpdateCallback(otherRuns::incrementAndGet);
        metrics.addUpdateCallback(ownRuns::incrementAndGet);

        metrics.prometheusExpfmt();

        assertEquals(1, ownRuns.get());
        assertEquals(0, otherRuns.get());
        new ScopedMetricsRegistry(store, Collections.<String>emptyList()).prometheusExpfmt();
        assertEquals(1, otherRuns.get(), "the root runs every callback");
    }

    @Test
    void rejectsNullCallbacksAndASecondCallbackForTheSameSeries() {
        String nullValue = assertThrows(IllegalArgumentException.class,
                () -> metrics.createGaugeWithCallback("g", "h", null, null)).getMessage();
        assertTrue(nullValue.contains("null"), nullValue);
        assertThrows(IllegalArgumentException.class, () -> metrics.createCounterWithCallback("c", "h", null, null));
        assertThrows(IllegalArgumentException.class,
                () -> metrics.createGaugeVecWithCallback("gv", "h", Arrays.asList("k"), null, null));
        assertThrows(IllegalArgumentException.class,
                () -> metrics.createCounterVecWithCallback("cv", "h", Arrays.asList("k"), null, null));
        assertThrows(IllegalArgumentException.class, () -> metrics.addUpdateCallback(null));

        metrics.createGaugeWithCallback("once", "h", null, () -> 1);
        String twice = assertThrows(IllegalArgumentException.class,
                () -> metrics.createGaugeWithCallback("once", "h", null, () -> 2)).getMessage();
        assertTrue(twice.contains("already has a callback"), twice);
        String asPlainGauge = assertThrows(IllegalArgumentException.class,
                () -> metrics.createGauge("once", "h", null)).getMessage();
        assertTrue(asPlainGauge.contains("GaugeWithCallback"), asPlainGauge);
        String noLabels = assertThrows(IllegalArgumentException.class,
                () -> metrics.createGaugeVecWithCallback("nolabels", "h", Collections.<String>emptyList(), null,
                        HashMap::new)).getMessage();
        assertTrue(noLabels.contains("createGaugeWithCallback"), noLabels);
        assertNotNull(findFamily(store.snapshot(), "dynamo_component_once"));
    }

    @Test
    void anInvalidCallbackMetricRegistersNothingAndItsSupplierNeverRuns() {
        AtomicInteger calls = new AtomicInteger();

        assertThrows(IllegalArgumentException.class,
                () -> metrics.createGaugeWithCallback("@@", "h", null, calls::incrementAndGet));
        assertThrows(IllegalArgumentException.class,
                () -> metrics.createCounterWithCallback("ok_name", " ", null, calls::incrementAndGet));
        assertThrows(IllegalArgumentException.class, () -> metrics.createGaugeVecWithCallback("bad_labels", "h",
                Arrays.asList("dynamo_namespace"), null, HashMap::new));
        store.snapshot();

        assertEquals(0, calls.get());
        assertEquals(0, store.snapshot().size());
    }
}
