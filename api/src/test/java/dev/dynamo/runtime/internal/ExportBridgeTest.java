package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.bridge.SizeFormat;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.function.BiConsumer;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static dev.dynamo.runtime.internal.Snapshots.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ExportBridgeTest {
    private static final String PREFIX = "dynamo_component_";
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();
    private static final String BRIDGE = ExportBridge.class.getName();

    private IsolatedApi isolated;
    private final List<String> isolatedWarnings = Collections.synchronizedList(new ArrayList<String>());

    @BeforeEach
    void loadAnIsolatedCopy() {
        isolated = new IsolatedApi();
        BiConsumer<String, String> sink = (level, message) -> isolatedWarnings.add(level + " " + message);
        isolated.callStatic(ApiLog.class.getName(), "setSink", sink);
    }

    @AfterEach
    void closeTheIsolatedCopy() {
        isolated.close();
    }

    private static Sample sampleOf(String name, Map<String, String> labels, double value) {
        return new Sample(name, new ArrayList<String>(labels.keySet()), new ArrayList<String>(labels.values()), value);
    }

    private static void assertSameFamilies(List<FamilySnapshot> expected, List<FamilySnapshot> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            FamilySnapshot want = expected.get(i);
            FamilySnapshot got = actual.get(i);
            assertEquals(want.name(), got.name());
            assertEquals(want.type(), got.type());
            assertEquals(want.help(), got.help());
            assertEquals(want.samples().size(), got.samples().size(), want.name());
            for (int j = 0; j < want.samples().size(); j++) {
                assertEquals(want.samples().get(j).toString(), got.samples().get(j).toString());
            }
        }
    }

    private static List<FamilySnapshot> decodeAll(List<Object[]> encoded) {
        return SnapshotEncoding.decode(encoded, skipped -> fail(skipped));
    }

    // encode / decode

    @Test
    void encodesFamiliesAsJdkTypesOnly() {
        FamilySnapshot counter = new FamilySnapshot("dynamo_component_requests", MetricType.Exposition.COUNTER,
                "Requests", Arrays.asList(sampleOf("dynamo_component_requests_total", map("model", "llama"), 3)));

        List<Object[]> encoded = SnapshotEncoding.encode(Arrays.asList(counter));

        assertEquals(1, encoded.size());
        Object[] family = encoded.get(0);
        assertEquals("dynamo_component_requests", family[0]);
        assertEquals("COUNTER", family[1]);
        assertEquals("Requests", family[2]);
        assertEquals(2, family[4]);
        Object[] sample = (Object[]) ((Object[]) family[3])[0];
        assertEquals("dynamo_component_requests_total", sample[0]);
        assertEquals(Arrays.asList("model"), Arrays.asList((String[]) sample[1]));
        assertEquals(Arrays.asList("llama"), Arrays.asList((String[]) sample[2]));
        assertEquals(3.0, assertInstanceOf(Double.class, sample[3]));
    }

    @Test
    void decodesWhatItEncodes() {
        List<FamilySnapshot> families = Arrays.asList(
                new FamilySnapshot("dynamo_component_requests", MetricType.Exposition.COUNTER, "Requests, \"all\"",
                        Arrays.asList(
                                sampleOf("dynamo_component_requests_total", map("dynamo_namespace", "a", "k", "x,y=z"),
                                        3),
                                sampleOf("dynamo_component_requests_total", map("dynamo_namespace", "b", "k", ""), 0))),
                new FamilySnapshot("dynamo_component_uptime_seconds", MetricType.Exposition.GAUGE, "Uptime",
                        Arrays.asList(sampleOf("dynamo_component_uptime_seconds", NO_LABELS, 1.25))),
                new FamilySnapshot("dynamo_component_latency", MetricType.Exposition.HISTOGRAM, "Latency",
                        Arrays.asList(
                                sampleOf("dynamo_component_latency_bucket", map("le", "1.0"), 1),
                                sampleOf("dynamo_component_latency_bucket", map("le", "+Inf"), 2),
                                sampleOf("dynamo_component_latency_count", NO_LABELS, 2),
                                sampleOf("dynamo_component_latency_sum", NO_LABELS, Double.NaN))),
                new FamilySnapshot("dynamo_component_empty", MetricType.Exposition.GAUGE, "No series yet",
                        Collections.<Sample>emptyList()));

        assertSameFamilies(families, decodeAll(SnapshotEncoding.encode(families)));
    }

    @Test
    void decodesWhatItEncodesFromTheStore() {
        String name = unique("round_trip");
        DistributedRuntime.get().namespace(unique("ns")).metrics()
                .createHistogramVec(name, "Round trip", Arrays.asList("model"), map("zone", "eu"), Arrays.asList(1.0))
                .withLabelValues("llama").observe(0.5);
        List<FamilySnapshot> snapshot = MetricStore.global().snapshot();

        assertSameFamilies(snapshot, decodeAll(SnapshotEncoding.encode(snapshot)));
        assertNotNull(findFamily(decodeAll(SnapshotEncoding.encode(snapshot)), PREFIX + name));
    }

    // collect

    @Test
    void collectsTheFamiliesOfThisCopy() {
        String name = unique("collected");
        DistributedRuntime.get().metrics().createIntCounter(name, "Collected", NO_LABELS).inc(4);

        FamilySnapshot collected = findFamily(ExportBridge.collect(), PREFIX + name);
        FamilySnapshot decoded = findFamily(decodeAll(ExportBridge.collectEncoded()), PREFIX + name);

        assertEquals(4.0, sample(collected, PREFIX + name + "_total", NO_LABELS).value());
        assertEquals(4.0, sample(decoded, PREFIX + name + "_total", NO_LABELS).value());
    }

    /** Creates a metric in the isolated copy's store, at namespace {@code ns}, and returns it. */
    private Object isolatedMetric(String ns, String create, String name, Object... rest) {
        Object store = isolated.callStatic(MetricStore.class.getName(), "global");
        Object registry = isolated.construct(ScopedMetricsRegistry.class.getName(), store, Arrays.asList(ns));
        Object[] args = new Object[2 + rest.length];
        args[0] = name;
        args[1] = "Help of " + name;
        System.arraycopy(rest, 0, args, 2, rest.length);
        return isolated.call(registry, MetricsRegistry.class.getName(), create, args);
    }

    private List<FamilySnapshot> collectIsolated() {
        @SuppressWarnings("unchecked")
        List<Object[]> encoded = (List<Object[]>) isolated.callStatic(BRIDGE, "collectEncoded");
        return decodeAll(encoded);
    }

    /** The bridge holds foreign stores weakly, as their own copies keep them; here the test does. */
    private final List<Supplier<List<Object[]>>> foreignStores = new ArrayList<>();

    private void registerForeignStore(Supplier<List<Object[]>> store) {
        foreignStores.add(store);
        isolated.callStatic(BRIDGE, "registerForeignStore", store);
    }

    @Test
    void usesAFreshCopyOfTheApiForTheTestsBelow() {
        assertNotSame(ExportBridge.class, isolated.type(BRIDGE));
        assertTrue(collectIsolated().isEmpty());
    }

    /** Each copy counts the calls of its own classes: a counter of the same labels in two copies is their sum. */
    @Test
    void addsUpACounterOfTheSameLabelsInThisCopyAndAForeignOne() {
        Object own = isolatedMetric("a", "createCounter", "shared", NO_LABELS);
        isolated.call(own, "dev.dynamo.runtime.metrics.Counter", "inc", 1.0);
        String family = PREFIX + "shared";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(family,
                MetricType.Exposition.COUNTER, "Help of shared", Arrays.asList(
                        sampleOf(family + "_total", map("dynamo_namespace", "b"), 2),
                        sampleOf(family + "_total", map("dynamo_namespace", "a"), 99))))));

        List<FamilySnapshot> collected = collectIsolated();

        assertEquals(1, collected.size());
        FamilySnapshot merged = collected.get(0);
        assertEquals(family, merged.name());
        assertEquals(2, merged.samples().size());
        assertEquals(100.0, sample(merged, family + "_total", map("dynamo_namespace", "a")).value());
        assertEquals(2.0, sample(merged, family + "_total", map("dynamo_namespace", "b")).value());
        assertTrue(isolatedWarnings.isEmpty(), isolatedWarnings.toString());
    }

    /**
     * Two applications in sibling child-first class loaders, each with its own API copy, measure the
     * same endpoint: its requests, durations and in-flight calls are those of both.
     */
    @Test
    void addsUpTheEndpointSeriesOfTwoForeignCopies() {
        String requests = PREFIX + "requests";
        String duration = PREFIX + PrometheusNames.WorkHandler.REQUEST_DURATION_SECONDS;
        String inflight = PREFIX + PrometheusNames.WorkHandler.INFLIGHT_REQUESTS;
        Map<String, String> endpoint = map("dynamo_namespace", "ns", "dynamo_endpoint", "ok");
        for (int calls : new int[] {3, 9}) {
            registerForeignStore(endpointStore(requests, duration, inflight, endpoint, calls, calls / 3));
        }

        List<FamilySnapshot> collected = collectIsolated();

        assertEquals(12.0, sample(findFamily(collected, requests), requests + "_total", endpoint).value());
        FamilySnapshot durations = findFamily(collected, duration);
        assertEquals(12.0, sample(durations, duration + "_count", endpoint).value());
        assertEquals(6.0, sample(durations, duration + "_sum", endpoint).value());
        assertEquals(10.0, sample(durations, duration + "_bucket", map("dynamo_namespace", "ns", "dynamo_endpoint", "ok",
                "le", "0.1")).value());
        assertEquals(12.0, sample(durations, duration + "_bucket", map("dynamo_namespace", "ns", "dynamo_endpoint", "ok",
                "le", "+Inf")).value());
        assertEquals(4, durations.samples().size());
        assertEquals(4.0, sample(findFamily(collected, inflight), inflight, endpoint).value());
        assertTrue(isolatedWarnings.isEmpty(), isolatedWarnings.toString());
    }

    @Test
    void exportsAFamilyWhoseLabelNamesDifferBetweenCopiesWithOneWarning() {
        Object own = isolatedMetric("a", "createCounterVec", "by_kind", Arrays.asList("kind"), NO_LABELS);
        isolated.call(isolated.call(own, "dev.dynamo.runtime.metrics.MetricVec", "withLabelValues",
                (Object) new String[] {"x"}), "dev.dynamo.runtime.metrics.Counter", "inc", 1.0);
        String family = PREFIX + "by_kind";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(family,
                MetricType.Exposition.COUNTER, "Help of by_kind", Arrays.asList(
                        sampleOf(family + "_total", map("dynamo_namespace", "a", "sort", "y"), 2))))));

        FamilySnapshot merged = findFamily(collectIsolated(), family);
        collectIsolated();

        assertEquals(2, merged.samples().size(), "both series are exported: " + merged.samples());
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("has the labels [dynamo_namespace, kind] in one copy")
                && isolatedWarnings.get(0).contains("[dynamo_namespace, sort] in another"), isolatedWarnings.get(0));
    }

    /**
     * A histogram of the same labels in both copies, with other buckets: the foreign series is left
     * out whole, so that the page never mixes one copy's buckets with the other's count; said once.
     */
    @Test
    void keepsAHistogramSeriesWholeWhenAForeignCopyHasOneOfTheSameLabelsAndWarnsOnce() {
        Object own = isolatedMetric("a", "createHistogram", "mix", NO_LABELS, Arrays.asList(1.0, 2.0));
        isolated.call(own, "dev.dynamo.runtime.metrics.Histogram", "observe", 0.5);
        String family = PREFIX + "mix";
        Map<String, String> a = map("dynamo_namespace", "a");
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(family,
                MetricType.Exposition.HISTOGRAM, "Help of mix", Arrays.asList(
                        sampleOf(family + "_bucket", map("dynamo_namespace", "a", "le", "1.5"), 5),
                        sampleOf(family + "_bucket", map("dynamo_namespace", "a", "le", "+Inf"), 5),
                        sampleOf(family + "_count", a, 5),
                        sampleOf(family + "_sum", a, 5),
                        sampleOf(family + "_count", map("dynamo_namespace", "b"), 3))))));

        FamilySnapshot merged = findFamily(collectIsolated(), family);
        collectIsolated();

        assertEquals(1.0, sample(merged, family + "_count", a).value());
        assertEquals(3.0, sample(merged, family + "_count", map("dynamo_namespace", "b")).value(),
                "a series only the foreign copy has is exported");
        for (Sample sample : merged.samples()) {
            assertTrue(!sample.labelValues().contains("1.5"), "no bucket of the foreign series: " + merged.samples());
        }
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("metric '" + family + "' has series of the same labels"),
                isolatedWarnings.get(0));
    }

    @Test
    void addsAForeignFamilyThisCopyDoesNotHave() {
        isolatedMetric("a", "createGauge", "own_only", NO_LABELS);
        String foreign = PREFIX + "foreign_only";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(foreign,
                MetricType.Exposition.GAUGE, "Foreign", Arrays.asList(sampleOf(foreign, NO_LABELS, 5))))));

        List<FamilySnapshot> collected = collectIsolated();

        assertEquals(Arrays.asList(PREFIX + "own_only", foreign),
                Arrays.asList(collected.get(0).name(), collected.get(1).name()));
        assertEquals(5.0, sample(collected.get(1), foreign, NO_LABELS).value());
    }

    @Test
    void collectsOnlyTheFamiliesTheFilterKeepsOfEveryCopy() {
        isolatedMetric("a", "createGauge", "own_kept", NO_LABELS);
        isolatedMetric("a", "createGauge", "own_left_out", NO_LABELS);
        String foreignKept = PREFIX + "foreign_kept";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(
                new FamilySnapshot(foreignKept, MetricType.Exposition.GAUGE, "Kept",
                        Arrays.asList(sampleOf(foreignKept, NO_LABELS, 5))),
                new FamilySnapshot(PREFIX + "foreign_left_out", MetricType.Exposition.GAUGE, "Left out",
                        Arrays.asList(sampleOf(PREFIX + "foreign_left_out", NO_LABELS, 5))))));
        Predicate<String> kept = name -> name.endsWith("_kept");

        @SuppressWarnings("unchecked")
        List<FamilySnapshot> collected = decodeAll((List<Object[]>) isolated.callStatic(BRIDGE, "collectEncoded", kept));

        assertEquals(Arrays.asList(PREFIX + "own_kept", foreignKept),
                collected.stream().map(FamilySnapshot::name).collect(Collectors.toList()));
    }

    /**
     * A foreign copy gives all of its families at once, and only when it is asked: it is measured whole, as
     * its last collection gave it, and everything is merged while one is connected.
     */
    @Test
    void measuresAForeignCopyWholeAsItsLastCollectionGaveIt() {
        isolatedMetric("a", "createGauge", "own", NO_LABELS);
        String foreign = PREFIX + "foreign";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(foreign,
                MetricType.Exposition.GAUGE, "Foreign", Arrays.asList(sampleOf(foreign, map("k", "1"), 1),
                        sampleOf(foreign, map("k", "2"), 2))))));
        Predicate<String> ownOnly = name -> name.equals(PREFIX + "own");

        long[] beforeItsFirstCollection = (long[]) isolated.callStatic(BRIDGE, "measure", ownOnly);
        collectIsolated();
        long[] after = (long[]) isolated.callStatic(BRIDGE, "measure", ownOnly);

        assertEquals(1, beforeItsFirstCollection[SizeFormat.SAMPLES]);
        assertEquals(3, after[SizeFormat.SAMPLES]);
        assertEquals(3, after[SizeFormat.MERGED_SAMPLES]);
        assertTrue(after[SizeFormat.BYTES] > beforeItsFirstCollection[SizeFormat.BYTES]);
    }

    /** A copy that shrank after a large collection is collected again after a few measures, not refused for good. */
    @Test
    void countsAForeignCopysLastSizeInAFewMeasuresUntilItIsCollectedAgain() {
        String foreign = PREFIX + "foreign_shrinking";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(foreign,
                MetricType.Exposition.GAUGE, "Foreign", Arrays.asList(sampleOf(foreign, NO_LABELS, 1))))));
        Predicate<String> all = name -> true;
        collectIsolated();

        List<Long> samples = new ArrayList<Long>();
        for (int i = 0; i <= ForeignCopies.MEASURES_PER_COLLECTION; i++) {
            samples.add(((long[]) isolated.callStatic(BRIDGE, "measure", all))[SizeFormat.SAMPLES]);
        }
        collectIsolated();
        long afterTheNextCollection = ((long[]) isolated.callStatic(BRIDGE, "measure", all))[SizeFormat.SAMPLES];

        assertEquals(samples.get(0), samples.get(ForeignCopies.MEASURES_PER_COLLECTION - 1));
        assertEquals(samples.get(0) - 1, samples.get(ForeignCopies.MEASURES_PER_COLLECTION));
        assertEquals(samples.get(0).longValue(), afterTheNextCollection);
    }

    @Test
    void measuresNothingMergedWithoutForeignCopies() {
        isolatedMetric("a", "createGauge", "alone", NO_LABELS);

        long[] size = (long[]) isolated.callStatic(BRIDGE, "measure", (Predicate<String>) name -> true);

        assertEquals(1, size[SizeFormat.SAMPLES]);
        assertEquals(0, size[SizeFormat.MERGED_SAMPLES]);
    }

    @Test
    void leavesOutAForeignFamilyWhoseTypeConflictsAndWarnsOnce() {
        isolatedMetric("a", "createCounter", "conflict", NO_LABELS);
        String name = PREFIX + "conflict";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(name,
                MetricType.Exposition.GAUGE, "Help of conflict", Arrays.asList(
                        sampleOf(name, map("dynamo_namespace", "b"), 7))))));

        List<FamilySnapshot> first = collectIsolated();
        collectIsolated();

        assertEquals(1, first.size());
        assertEquals(MetricType.Exposition.COUNTER, first.get(0).type());
        assertEquals(1, first.get(0).samples().size());
        assertEquals(name + "_total", first.get(0).samples().get(0).name());
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).startsWith("WARN metric '" + name + "' is a counter in one copy"),
                isolatedWarnings.get(0));
    }

    @Test
    void leavesOutAForeignStoreThatFailsAndKeepsTheOthers() {
        isolatedMetric("a", "createGauge", "survivor", NO_LABELS);
        registerForeignStore(() -> {
            throw new IllegalStateException("broken copy");
        });
        String foreign = PREFIX + "healthy";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(foreign,
                MetricType.Exposition.GAUGE, "Healthy", Arrays.asList(sampleOf(foreign, NO_LABELS, 1))))));

        List<FamilySnapshot> collected = collectIsolated();
        collectIsolated();

        assertEquals(Arrays.asList(PREFIX + "survivor", foreign),
                Arrays.asList(collected.get(0).name(), collected.get(1).name()));
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("broken copy"), isolatedWarnings.get(0));
    }

    /**
     * An application server's class loader refuses to load classes once its application is stopped
     * (Tomcat logs each refusal with a stack trace): such a copy is not asked again.
     */
    @Test
    void aForeignCopyWhoseClassLoaderLoadsNoMoreIsAskedNoMore() {
        int[] asked = new int[1];
        registerForeignStore(() -> {
            asked[0]++;
            throw new NoClassDefFoundError("java/util/concurrent/ThreadPoolExecutor");
        });

        collectIsolated();
        collectIsolated();
        collectIsolated();

        assertEquals(1, asked[0], "asked again after its class loader refused");
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("can no longer collect its metrics")
                && isolatedWarnings.get(0).contains("left out from now on"), isolatedWarnings.get(0));
    }

    @Test
    void aHelpThatDiffersBetweenCopiesShowsTheFirstWithOneWarning() {
        isolatedMetric("a", "createCounter", "helped", NO_LABELS);
        String family = PREFIX + "helped";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(family,
                MetricType.Exposition.COUNTER, "Another help", Arrays.asList(
                        sampleOf(family + "_total", map("dynamo_namespace", "b"), 2))))));

        FamilySnapshot merged = findFamily(collectIsolated(), family);
        collectIsolated();

        assertEquals("Help of helped", merged.help());
        assertEquals(2, merged.samples().size());
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("has the help \"Help of helped\" in one copy of the dynamo API"
                + " and \"Another help\" in another"), isolatedWarnings.get(0));
    }

    @Test
    void leavesOutAForeignStoreItCannotDecodeAndKeepsItsOwnMetrics() {
        isolatedMetric("a", "createGauge", "decodable", NO_LABELS);
        registerForeignStore(() -> Collections.singletonList(
                new Object[] {PREFIX + "newer_type", "SUMMARY", "From a newer copy", new Object[0]}));

        List<FamilySnapshot> collected = collectIsolated();

        assertEquals(Arrays.asList(PREFIX + "decodable"), Arrays.asList(collected.get(0).name()));
        assertEquals(1, collected.size());
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
    }

    @Test
    void exportsTheFamiliesOfAnOlderCopyThatWritesNoFormatVersion() {
        String name = PREFIX + "from_an_older_copy";
        registerForeignStore(() -> Collections.singletonList(new Object[] {name, "GAUGE", "Older", new Object[] {
            new Object[] {name, new String[] {"k"}, new String[] {"v"}, 8.0}}}));

        FamilySnapshot family = findFamily(collectIsolated(), name);

        assertEquals(8.0, sample(family, name, map("k", "v")).value());
        assertTrue(isolatedWarnings.isEmpty(), isolatedWarnings.toString());
    }

    @Test
    void leavesOutTheFamiliesOfANewerFormatWithOneWarningAndKeepsTheRest() {
        isolatedMetric("a", "createGauge", "current", NO_LABELS);
        registerForeignStore(() -> Arrays.asList(
                new Object[] {PREFIX + "newer_a", "GAUGE", "Newer", "another layout", 3},
                new Object[] {PREFIX + "newer_b", "GAUGE", "Newer", "another layout", 3}));

        List<FamilySnapshot> collected = collectIsolated();
        collectIsolated();

        assertEquals(Arrays.asList(PREFIX + "current"), Arrays.asList(collected.get(0).name()));
        assertEquals(1, collected.size());
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("format version 3"), isolatedWarnings.get(0));
    }

    @Test
    void theNewestForeignCopyWinsAGaugeOfTheSameLabels() {
        String name = PREFIX + "redeployed";
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(name,
                MetricType.Exposition.GAUGE, "Hits", Arrays.asList(sampleOf(name, NO_LABELS, 5))))));
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(name,
                MetricType.Exposition.GAUGE, "Hits", Arrays.asList(sampleOf(name, NO_LABELS, 1))))));

        FamilySnapshot family = findFamily(collectIsolated(), name);

        assertEquals(1, family.samples().size());
        assertEquals(1.0, family.samples().get(0).value());
    }

    @Test
    void doesNotKeepAForeignStoreAliveOnceItsCopyDropsIt() throws Exception {
        String name = PREFIX + "undeployed";
        Supplier<List<Object[]>> store = () -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(name,
                MetricType.Exposition.GAUGE, "Gone", Arrays.asList(sampleOf(name, NO_LABELS, 3)))));
        java.lang.ref.WeakReference<Supplier<List<Object[]>>> watched = new java.lang.ref.WeakReference<>(store);
        isolated.callStatic(BRIDGE, "registerForeignStore", store);
        assertEquals(3.0, findFamily(collectIsolated(), name).samples().get(0).value());

        store = null;
        for (int i = 0; i < 50 && watched.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }

        assertNull(watched.get(), "the bridge must not hold a foreign store strongly");
        assertTrue(collectIsolated().stream().noneMatch(f -> f.name().equals(name)));
    }

    /**
     * A redeployed application's old copy is collected while the new one counts on: the counters and
     * histograms summed over both must not fall, or rate() would read a restart and count again.
     */
    @Test
    void aCounterSummedOverCopiesDoesNotFallWhenACopyIsCollected() throws Exception {
        String requests = PREFIX + "requests";
        String duration = PREFIX + PrometheusNames.WorkHandler.REQUEST_DURATION_SECONDS;
        String inflight = PREFIX + PrometheusNames.WorkHandler.INFLIGHT_REQUESTS;
        Map<String, String> endpoint = map("dynamo_namespace", "ns", "dynamo_endpoint", "ok");
        Supplier<List<Object[]>> old = endpointStore(requests, duration, inflight, endpoint, 7, 1);
        java.lang.ref.WeakReference<Supplier<List<Object[]>>> watched = new java.lang.ref.WeakReference<>(old);
        isolated.callStatic(BRIDGE, "registerForeignStore", old);
        registerForeignStore(endpointStore(requests, duration, inflight, endpoint, 5, 1));
        assertEquals(12.0, sample(findFamily(collectIsolated(), requests), requests + "_total", endpoint).value());

        old = null;
        for (int i = 0; i < 50 && watched.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(watched.get(), "the old copy was collected");
        List<FamilySnapshot> afterCollection = collectIsolated();
        List<FamilySnapshot> later = collectIsolated();

        for (List<FamilySnapshot> page : Arrays.asList(afterCollection, later)) {
            assertEquals(12.0, sample(findFamily(page, requests), requests + "_total", endpoint).value());
            FamilySnapshot durations = findFamily(page, duration);
            assertEquals(12.0, sample(durations, duration + "_count", endpoint).value());
            assertEquals(6.0, sample(durations, duration + "_sum", endpoint).value());
            assertEquals(10.0, sample(durations, duration + "_bucket", map("dynamo_namespace", "ns",
                    "dynamo_endpoint", "ok", "le", "0.1")).value());
            assertEquals(4, durations.samples().size());
            assertEquals(1.0, sample(findFamily(page, inflight), inflight, endpoint).value(),
                    "a gauge of a copy that is gone leaves the page: only the live copy's call is in flight");
        }
        assertTrue(isolatedWarnings.isEmpty(), isolatedWarnings.toString());
    }

    /**
     * The last copy of an application server's redeployed application is collected, and none is left: its
     * counts stay on the page and in its measure. Before, they left the page with it and came back when the
     * next copy connected (a re-tester's soak: 60, then nothing, then 61).
     */
    @Test
    void theCountsOfTheLastForeignCopyStayOnceItIsCollected() throws Exception {
        String requests = PREFIX + "requests_alone";
        String duration = PREFIX + "duration_alone";
        String inflight = PREFIX + "inflight_alone";
        Map<String, String> endpoint = map("dynamo_namespace", "ns", "dynamo_endpoint", "ok");
        Supplier<List<Object[]>> only = endpointStore(requests, duration, inflight, endpoint, 60, 0);
        java.lang.ref.WeakReference<Supplier<List<Object[]>>> watched = new java.lang.ref.WeakReference<>(only);
        isolated.callStatic(BRIDGE, "registerForeignStore", only);
        assertEquals(60.0, sample(findFamily(collectIsolated(), requests), requests + "_total", endpoint).value());
        Predicate<String> all = name -> true;
        long withTheCopy = ((long[]) isolated.callStatic(BRIDGE, "measure", all))[SizeFormat.SAMPLES];

        only = null;
        for (int i = 0; i < 50 && watched.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(watched.get(), "the copy was collected");
        List<FamilySnapshot> whenFoundGone = collectIsolated();
        List<FamilySnapshot> later = collectIsolated();
        long measuredLater = ((long[]) isolated.callStatic(BRIDGE, "measure", all))[SizeFormat.SAMPLES];

        for (List<FamilySnapshot> page : Arrays.asList(whenFoundGone, later)) {
            assertEquals(60.0, sample(findFamily(page, requests), requests + "_total", endpoint).value());
            assertEquals(60.0, sample(findFamily(page, duration), duration + "_count", endpoint).value());
        }
        assertTrue(measuredLater >= withTheCopy - 1, "the counts gone are measured: " + measuredLater + " of "
                + withTheCopy + " (the copy's gauge left)");
    }

    /**
     * Summed in doubles, the copies' values round differently once gone copies are added together
     * after the live ones: (1 + b) + a with a = b = 1.5e-16 is two steps above 1, 1 + (b + a) one. A
     * re-tester saw histograms' {@code _sum} fall by such a step after a redeploy, which {@code rate()}
     * reads as a restart. Sums are exact now, rounded once.
     */
    @Test
    void aSumOverCopiesDoesNotFallWhenGoneCopiesAreAddedTogether() throws Exception {
        String seconds = PREFIX + "busy_seconds";
        List<java.lang.ref.WeakReference<Supplier<List<Object[]>>>> gone = new ArrayList<>();
        for (double value : new double[] {1.5e-16, 1.5e-16}) {
            Supplier<List<Object[]>> store = counterStore(seconds, value);
            gone.add(new java.lang.ref.WeakReference<>(store));
            isolated.callStatic(BRIDGE, "registerForeignStore", store);
        }
        registerForeignStore(counterStore(seconds, 1.0));
        double before = sample(findFamily(collectIsolated(), seconds), seconds + "_total", NO_LABELS).value();

        for (int i = 0; i < 50 && gone.stream().anyMatch(reference -> reference.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(gone.stream().allMatch(reference -> reference.get() == null), "the two copies were collected");
        double after = sample(findFamily(collectIsolated(), seconds), seconds + "_total", NO_LABELS).value();

        assertEquals(1.0 + Math.ulp(1.0), before, "the exact sum 1 + 3e-16, rounded once");
        assertEquals(before, after);
    }

    private static Supplier<List<Object[]>> counterStore(String name, double value) {
        return () -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(name, MetricType.Exposition.COUNTER,
                "Seconds", Arrays.asList(sampleOf(name + "_total", NO_LABELS, value)))));
    }

    /**
     * Each copy has its own runtime and uptime; the oldest is the application's. After a dynamic
     * attach the agent's copy began at the attach, while the application's own copy had been running
     * before it: the page showed the younger one (a soak tester: 3 s against the application's 13 s).
     */
    @Test
    void theUptimeIsTheOldestCopysRuntimes() {
        String uptime = PREFIX + PrometheusNames.Runtime.UPTIME_SECONDS;
        isolated.callStatic(DistributedRuntime.class.getName(), "get");
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(uptime,
                MetricType.Exposition.GAUGE, "Total uptime of the DistributedRuntime in seconds",
                Arrays.asList(sampleOf(uptime, NO_LABELS, 1000.0))))));
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(uptime,
                MetricType.Exposition.GAUGE, "Total uptime of the DistributedRuntime in seconds",
                Arrays.asList(sampleOf(uptime, NO_LABELS, 0.5))))));

        FamilySnapshot family = findFamily(collectIsolated(), uptime);

        assertEquals(1, family.samples().size());
        assertEquals(1000.0, family.samples().get(0).value());
        assertTrue(isolatedWarnings.stream().noneMatch(warning -> warning.contains("has series of the same labels")),
                "every copy has an uptime: no clash to report; " + isolatedWarnings);
    }

    @Test
    void aForeignCopyWhoseClassLoaderLoadsNoMoreKeepsTheCountsItLastGave() {
        String requests = PREFIX + "requests";
        Map<String, String> endpoint = map("dynamo_namespace", "ns", "dynamo_endpoint", "ok");
        int[] asked = new int[1];
        registerForeignStore(() -> {
            if (asked[0]++ > 0) {
                throw new NoClassDefFoundError("dev/dynamo/runtime/internal/Sample");
            }
            return SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(requests, MetricType.Exposition.COUNTER,
                    "Requests", Arrays.asList(sampleOf(requests + "_total", endpoint, 7)))));
        });
        registerForeignStore(() -> SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(requests,
                MetricType.Exposition.COUNTER, "Requests", Arrays.asList(sampleOf(requests + "_total", endpoint, 2))))));

        assertEquals(9.0, sample(findFamily(collectIsolated(), requests), requests + "_total", endpoint).value());
        assertEquals(9.0, sample(findFamily(collectIsolated(), requests), requests + "_total", endpoint).value());
        assertEquals(9.0, sample(findFamily(collectIsolated(), requests), requests + "_total", endpoint).value());

        assertEquals(2, asked[0], "asked again after its class loader refused");
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("its counters and histograms stay as it last gave them"),
                isolatedWarnings.get(0));
    }

    /** A copy's endpoint series after {@code calls} calls, {@code inflightCalls} of them still in flight. */
    private static Supplier<List<Object[]>> endpointStore(String requests, String duration, String inflight,
            Map<String, String> endpoint, int calls, int inflightCalls) {
        return () -> SnapshotEncoding.encode(Arrays.asList(
                new FamilySnapshot(requests, MetricType.Exposition.COUNTER, "Requests", Arrays.asList(
                        sampleOf(requests + "_total", endpoint, calls))),
                new FamilySnapshot(duration, MetricType.Exposition.HISTOGRAM, "Durations", Arrays.asList(
                        sampleOf(duration + "_bucket", map("dynamo_namespace", "ns", "dynamo_endpoint", "ok",
                                "le", "0.1"), calls - 1),
                        sampleOf(duration + "_bucket", map("dynamo_namespace", "ns", "dynamo_endpoint", "ok",
                                "le", "+Inf"), calls),
                        sampleOf(duration + "_count", endpoint, calls),
                        sampleOf(duration + "_sum", endpoint, calls * 0.5))),
                new FamilySnapshot(inflight, MetricType.Exposition.GAUGE, "In flight", Arrays.asList(
                        sampleOf(inflight, endpoint, inflightCalls)))));
    }

    // agent claim and connect

    @Test
    void isNotExportedWithoutAnAgent() {
        assertFalse((Boolean) isolated.callStatic(BRIDGE, "isAgentAttached"));
        assertFalse((Boolean) isolated.callStatic(BRIDGE, "connect"));
    }

    @Test
    void letsOnlyOneAgentClaimACopy() {
        assertTrue((Boolean) isolated.callStatic(BRIDGE, "claimAgent"));
        assertFalse((Boolean) isolated.callStatic(BRIDGE, "claimAgent"));

        assertTrue((Boolean) isolated.callStatic(BRIDGE, "isAgentAttached"));
        assertTrue((Boolean) isolated.callStatic(BRIDGE, "connect"));
    }

    // new metric kinds, health state and series limit across copies

    @Test
    void callbackMetricsOfACopyCrossWithFreshValues() {
        double[] current = {4.5};
        isolatedMetric("a", "createGaugeWithCallback", "queue", NO_LABELS, (DoubleSupplier) () -> current[0]);

        assertEquals(4.5, findFamily(collectIsolated(), PREFIX + "queue").samples().get(0).value());
        current[0] = 6;
        assertEquals(6.0, findFamily(collectIsolated(), PREFIX + "queue").samples().get(0).value());
    }

    @Test
    void healthStatesCrossAsJdkTypesThisCopyFirst() {
        Object state = isolated.callStatic(HealthState.class.getName(), "global");
        isolated.call(state, HealthState.class.getName(), "setRuntimeReady", false);
        isolated.call(state, HealthState.class.getName(), "setEndpointHealthy", "generate", true);
        Callable<Boolean> check = () -> true;
        isolated.call(state, HealthState.class.getName(), "addCheck", "db", check, 250L);
        Supplier<Object[]> foreign = () -> new Object[] {null, Collections.singletonMap("generate", false),
            Collections.emptyMap()};
        isolated.callStatic(BRIDGE, "registerForeignHealth", foreign);

        @SuppressWarnings("unchecked")
        List<Object[]> states = (List<Object[]>) isolated.callStatic(BRIDGE, "healthEncoded");

        assertEquals(2, states.size());
        assertEquals(Boolean.FALSE, states.get(0)[0]);
        assertEquals(Collections.singletonMap("generate", true), states.get(0)[1]);
        Object[] dbCheck = (Object[]) ((Map<?, ?>) states.get(0)[2]).get("db");
        assertSame(check, dbCheck[0]);
        assertEquals(250L, dbCheck[1]);
        assertNull(states.get(1)[0]);
        assertEquals(Collections.singletonMap("generate", false), states.get(1)[1]);
    }

    @Test
    void leavesOutAForeignHealthStateThatFailsAndWarnsOnce() {
        Supplier<Object[]> broken = () -> {
            throw new IllegalStateException("broken health");
        };
        isolated.callStatic(BRIDGE, "registerForeignHealth", broken);

        isolated.callStatic(BRIDGE, "healthEncoded");
        @SuppressWarnings("unchecked")
        List<Object[]> states = (List<Object[]>) isolated.callStatic(BRIDGE, "healthEncoded");

        assertEquals(1, states.size());
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("broken health"), isolatedWarnings.get(0));
    }

    /**
     * Each copy waits up to the callbacks' deadline for its own callbacks; an application server with
     * many applications must not make a scrape wait that long once per copy, so the copies are asked
     * side by side: here each answers only once the other is being asked too.
     */
    @Test
    void foreignCopiesAreCollectedSideBySide() {
        CountDownLatch bothAsked = new CountDownLatch(2);
        for (String copy : new String[] {"first", "second"}) {
            String family = PREFIX + "side_by_side_" + copy;
            registerForeignStore(() -> {
                bothAsked.countDown();
                boolean together;
                try {
                    together = bothAsked.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    together = false;
                }
                return SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(family, MetricType.Exposition.GAUGE,
                        "Asked together", Arrays.asList(sampleOf(family, NO_LABELS, together ? 1 : 0)))));
            });
        }

        List<FamilySnapshot> collected = collectIsolated();

        assertEquals(1.0, findFamily(collected, PREFIX + "side_by_side_first").samples().get(0).value());
        assertEquals(1.0, findFamily(collected, PREFIX + "side_by_side_second").samples().get(0).value());
    }

    /** A copy late for a scrape is asked once: the next scrapes wait for the same answer, and show it once it came. */
    @Test
    void aForeignCopyLateForTheScrapeIsLeftOutOfItWithOneWarning() {
        CountDownLatch release = new CountDownLatch(1);
        String late = PREFIX + "late";
        int[] asked = new int[1];
        registerForeignStore(() -> {
            asked[0]++;
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return SnapshotEncoding.encode(Arrays.asList(new FamilySnapshot(late, MetricType.Exposition.GAUGE,
                    "Late", Arrays.asList(sampleOf(late, NO_LABELS, 1)))));
        });
        isolatedMetric("a", "createGauge", "on_time", NO_LABELS);

        List<FamilySnapshot> collected;
        List<FamilySnapshot> whileStillLate;
        try {
            collected = collectIsolated();
            whileStillLate = collectIsolated();
        } finally {
            release.countDown();
        }
        List<FamilySnapshot> afterItAnswered = collectIsolated();

        assertEquals(Arrays.asList(PREFIX + "on_time"), collected.stream().map(FamilySnapshot::name)
                .collect(Collectors.toList()), "the late copy's families wait for the next scrape");
        assertEquals(collected.size(), whileStillLate.size());
        assertEquals(1.0, findFamily(afterItAnswered, late).samples().get(0).value());
        assertEquals(1, asked[0], "asked again while its first answer was still on the way");
        assertEquals(1, isolatedWarnings.size(), isolatedWarnings.toString());
        assertTrue(isolatedWarnings.get(0).contains("did not give its metrics within"), isolatedWarnings.get(0));
    }

    /** A foreign copy routes its messages through it, so that DYN_LOG and the agent's format apply to them too. */
    @Test
    void theLogSinkAForeignCopyGetsReportsThroughThisCopysLog() {
        @SuppressWarnings("unchecked")
        BiConsumer<String, String> sink = (BiConsumer<String, String>) isolated.callStatic(BRIDGE, "logSink");

        sink.accept(ApiLog.WARN, "a callback of a foreign copy failed");

        assertEquals(Collections.singletonList("WARN a callback of a foreign copy failed"), isolatedWarnings);
    }

    @Test
    void theAgentSetsTheDefaultSeriesLimitOfACopy() {
        assertEquals(LimitSetting.MAX_SERIES.defaultValue, isolated.callStatic(BRIDGE, "defaultMaxSeries"));

        isolated.callStatic(BRIDGE, "setDefaultMaxSeries", 3);
        Object vec = isolatedMetric("a", "createCounterVec", "limited", Arrays.asList("k"), NO_LABELS);
        for (int i = 0; i < 10; i++) {
            isolated.call(vec, "dev.dynamo.runtime.metrics.MetricVec", "withLabelValues",
                    (Object) new String[] {"v" + i});
        }

        assertEquals(3, isolated.callStatic(BRIDGE, "defaultMaxSeries"));
        assertEquals(4, findFamily(collectIsolated(), PREFIX + "limited").samples().size());
        assertEquals(7.0, findFamily(collectIsolated(), SeriesLimit.FOLDED_FAMILY).samples().get(0).value());
    }

    @Test
    void theAgentSetsTheMetricLimitOfACopy() {
        assertEquals(LimitSetting.MAX_FAMILIES.defaultValue, isolated.callStatic(BRIDGE, "maxFamilies"));

        isolated.callStatic(BRIDGE, "setMaxFamilies", 2);
        for (int i = 0; i < 5; i++) {
            isolatedMetric("a", "createCounter", "order_" + i, NO_LABELS);
        }

        assertEquals(2, isolated.callStatic(BRIDGE, "maxFamilies"));
        List<FamilySnapshot> page = collectIsolated();
        assertEquals(Arrays.asList(PREFIX + "order_0", PREFIX + "order_1"), page.stream().map(FamilySnapshot::name)
                .filter(name -> name.startsWith(PREFIX + "order_")).collect(Collectors.toList()));
        assertEquals(3.0, findFamily(page, MetricStore.UNEXPORTED_FAMILIES).samples().get(0).value());
    }
}
