package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.Component;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static dev.dynamo.runtime.internal.Snapshots.family;
import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static dev.dynamo.runtime.internal.Snapshots.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricStoreTest {
    private static final String PREFIX = "dynamo_component_";
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    private static Component uniqueComponent() {
        return DistributedRuntime.get().namespace(unique("ns")).component("comp");
    }

    private static MetricsRegistry runtimeMetrics() {
        return DistributedRuntime.get().metrics();
    }

    private static String rejected(Executable creation) {
        return assertThrows(IllegalArgumentException.class, creation).getMessage();
    }

    @Test
    void returnsTheSameMetricForTheSameNameTypeAndLabelsAtTheSamePlace() {
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        List<String> k = Arrays.asList("k");

        assertSame(metrics.createCounter("same_counter", "h", NO_LABELS),
                metrics.createCounter("same_counter", "h", NO_LABELS));
        assertSame(metrics.createIntCounter("same_int_counter", "h", map("c", "1")),
                metrics.createIntCounter("same_int_counter", "h", map("c", "1")));
        assertSame(metrics.createGauge("same_gauge", "h", NO_LABELS), metrics.createGauge("same_gauge", "h", null));
        assertSame(metrics.createIntGauge("same_int_gauge", "h", NO_LABELS),
                metrics.createIntGauge("same_int_gauge", "h", NO_LABELS));
        assertSame(metrics.createHistogram("same_histogram", "h", NO_LABELS, null),
                metrics.createHistogram("same_histogram", "h", NO_LABELS, MetricsRegistry.DEFAULT_BUCKETS));
        assertSame(metrics.createCounterVec("same_counter_vec", "h", k, NO_LABELS),
                metrics.createCounterVec("same_counter_vec", "h", k, NO_LABELS));
        assertSame(metrics.createIntCounterVec("same_int_counter_vec", "h", k, NO_LABELS),
                metrics.createIntCounterVec("same_int_counter_vec", "h", k, NO_LABELS));
        assertSame(metrics.createGaugeVec("same_gauge_vec", "h", k, NO_LABELS),
                metrics.createGaugeVec("same_gauge_vec", "h", k, NO_LABELS));
        assertSame(metrics.createIntGaugeVec("same_int_gauge_vec", "h", k, NO_LABELS),
                metrics.createIntGaugeVec("same_int_gauge_vec", "h", k, NO_LABELS));
        assertSame(metrics.createHistogramVec("same_histogram_vec", "h", k, NO_LABELS, Arrays.asList(1.0)),
                metrics.createHistogramVec("same_histogram_vec", "h", k, NO_LABELS, Arrays.asList(1.0)));
    }

    @Test
    void returnsTheSameMetricThroughAnotherLookupOfTheSamePlace() {
        String ns = unique("ns");
        Counter first = DistributedRuntime.get().namespace(ns).component("c").endpoint("e").metrics()
                .createCounter("looked_up_twice", "h", NO_LABELS);
        Counter second = DistributedRuntime.get().namespace(ns).component("c").endpoint("e").metrics()
                .createCounter("looked_up_twice", "h", NO_LABELS);

        assertSame(first, second);
    }

    @Test
    void makesOneFamilyWithTwoSeriesForTheSameNameUnderTwoEndpoints() {
        Component component = uniqueComponent();
        String ns = component.metrics().getAutoLabels().get("dynamo_namespace");
        Counter a = component.endpoint("a").metrics().createCounter("two_endpoints", "Two endpoints", NO_LABELS);
        Counter b = component.endpoint("b").metrics().createCounter("two_endpoints", "Two endpoints", NO_LABELS);
        a.inc();
        b.inc(2);

        assertNotSame(a, b);
        FamilySnapshot family = family(PREFIX + "two_endpoints");
        assertEquals(1.0, sample(family, PREFIX + "two_endpoints_total",
                map("dynamo_namespace", ns, "dynamo_component", "comp", "dynamo_endpoint", "a")).value());
        assertEquals(2.0, sample(family, PREFIX + "two_endpoints_total",
                map("dynamo_namespace", ns, "dynamo_component", "comp", "dynamo_endpoint", "b")).value());
    }

    @Test
    void makesOneSeriesPerConstantLabelValueAtOnePlace() {
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        Counter llama = metrics.createCounter("per_model", "Per model", map("model", "llama"));
        Counter mistral = metrics.createCounter("per_model", "Per model", map("model", "mistral"));
        llama.inc(3);

        assertNotSame(llama, mistral);
        assertEquals(0.0, mistral.get());
    }

    @Test
    void rejectsTheSameNameWithAnotherTypeAtCreation() {
        String name = unique("typed");
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        metrics.createCounter(name, "Typed", NO_LABELS);

        String message = rejected(() -> metrics.createGauge(name, "Typed", NO_LABELS));

        assertTrue(message.startsWith("Metric '" + PREFIX + name + "' is already registered as Counter;"
                + " cannot create it as Gauge"), message);
    }

    @Test
    void rejectsTheSameNameWithAnotherTypeUnderAnotherEndpoint() {
        String name = unique("typed");
        Component component = uniqueComponent();
        component.endpoint("a").metrics().createHistogram(name, "Typed", NO_LABELS, null);

        String message = rejected(() -> component.endpoint("b").metrics().createGauge(name, "Typed", NO_LABELS));

        assertTrue(message.contains("already registered as Histogram"), message);
        assertEquals(MetricType.Exposition.HISTOGRAM, family(PREFIX + name).type());
    }

    @Test
    void tellsFloatingPointAndIntegerCountersApart() {
        String name = unique("int_or_double");
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        metrics.createIntCounter(name, "Int", NO_LABELS);

        String message = rejected(() -> metrics.createCounter(name, "Int", NO_LABELS));

        assertTrue(message.contains("already registered as IntCounter; cannot create it as Counter"), message);
    }

    @Test
    void tellsAVecAndAPlainMetricApart() {
        String name = unique("vec_or_plain");
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        metrics.createGaugeVec(name, "Vec", Arrays.asList("k"), NO_LABELS);

        String message = rejected(() -> metrics.createGauge(name, "Vec", NO_LABELS));

        assertTrue(message.contains("already registered as GaugeVec; cannot create it as Gauge"), message);
    }

    /** A tester was told to create it "with the same type everywhere": a computed gauge, which the API cannot make. */
    @Test
    void saysTheRuntimesUptimeIsTheRuntimesOwn() {
        String message = rejected(() -> runtimeMetrics().createGauge("uptime_seconds",
                "Total uptime of the DistributedRuntime in seconds", NO_LABELS));

        assertEquals("Metric 'dynamo_component_uptime_seconds' is the runtime's uptime, which the runtime creates"
                + " itself (PrometheusNames.Runtime.UPTIME_SECONDS) and computes at each scrape; cannot create it as"
                + " Gauge. Use another name for a metric of your own", message);
    }

    @Test
    void rejectsTheSameNameWithAnotherHelpAtCreation() {
        String name = unique("helped");
        Component component = uniqueComponent();
        component.endpoint("a").metrics().createCounter(name, "First help", NO_LABELS);

        String message = rejected(() -> component.endpoint("b").metrics().createCounter(name, "Other help", NO_LABELS));

        assertTrue(message.contains("already registered with help 'First help'"), message);
        assertEquals("First help", family(PREFIX + name).help());
    }

    @Test
    void rejectsTheSameNameWithOtherVariableLabelNames() {
        String name = unique("relabelled");
        Component component = uniqueComponent();
        component.endpoint("a").metrics().createCounterVec(name, "h", Arrays.asList("model"), NO_LABELS);

        String message = rejected(() -> component.endpoint("b").metrics()
                .createCounterVec(name, "h", Arrays.asList("size"), NO_LABELS));

        assertTrue(message.contains("already registered with label names"), message);
    }

    @Test
    void rejectsTheSameNameWithOtherConstantLabelNames() {
        String name = unique("relabelled");
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        metrics.createGauge(name, "h", map("model", "llama"));

        String message = rejected(() -> metrics.createGauge(name, "h", map("region", "eu")));

        assertTrue(message.contains("already registered with label names"), message);
    }

    /**
     * The same label names split otherwise between constant and variable labels: the variable label could
     * take the constant's value, and the page would show two series with the same labels, of which
     * Prometheus keeps one without a word (a re-tester's counter of 3 calls showed 1). Before, the second
     * creation returned a second metric.
     */
    @Test
    void rejectsTheSameLabelNamesSplitOtherwiseBetweenConstantAndVariableLabels() {
        String name = unique("split");
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        metrics.createCounterVec(name, "h", Arrays.asList("k"), map("c", "x"));

        String message = rejected(() -> metrics.createCounterVec(name, "h", Arrays.asList("c", "k"), NO_LABELS));
        assertTrue(message.contains("already registered with variable labels [k]; cannot create it with variable"
                + " labels [c, k]"), message);
        String histogram = unique("split");
        metrics.createHistogramVec(histogram, "h", Arrays.asList("c", "k"), NO_LABELS, null);
        assertTrue(rejected(() -> metrics.createHistogramVec(histogram, "h", Arrays.asList("k"), map("c", "x"), null))
                .contains("variable labels [c, k]; cannot create it with variable labels [k]"));
        String callback = unique("split");
        metrics.createGaugeVecWithCallback(callback, "h", Arrays.asList("k"), map("c", "x"), Collections::emptyMap);
        assertTrue(rejected(() -> metrics.createGaugeVecWithCallback(callback, "h", Arrays.asList("c", "k"), NO_LABELS,
                Collections::emptyMap)).contains("already registered with variable labels [k]"));

        metrics.createCounterVec(name, "h", Arrays.asList("k"), map("c", "y"));
    }

    /**
     * Through raw or unchecked collections (Groovy's [1, 2, 5], a Java raw type): numbers of any type as
     * buckets, and a clear error for anything else, never a ClassCastException (a re-tester's).
     */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void wronglyTypedCollectionsGetAClearErrorAndNumbersAreBuckets() {
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        List integers = Arrays.asList(1, 2.5, 5L);
        metrics.createHistogram(unique("numbers"), "h", NO_LABELS, (List<Double>) integers).observe(2);

        List words = Arrays.asList(1.0, "two");
        assertTrue(rejected(() -> metrics.createHistogram(unique("words"), "h", NO_LABELS, (List<Double>) words))
                .contains("Histogram bucket two at position 1 of [1.0, two] is a java.lang.String, not a number"));
        List numberNames = Arrays.asList(7);
        assertTrue(rejected(() -> metrics.createCounterVec(unique("names"), "h", (List<String>) numberNames, NO_LABELS))
                .contains("Label name is 7, a java.lang.Integer; pass a String"));
        Map numberKey = Collections.singletonMap(7, "x");
        assertTrue(rejected(() -> metrics.createGauge(unique("keys"), "h", (Map<String, String>) numberKey))
                .contains("Constant label name is 7, a java.lang.Integer; pass a String"));
        Map numberValue = Collections.singletonMap("region", 7);
        assertTrue(rejected(() -> metrics.createGauge(unique("values"), "h", (Map<String, String>) numberValue))
                .contains("Value of constant label 'region' is 7, a java.lang.Integer; pass a String"));
    }

    @Test
    void rejectsTheSameNameAtAnotherHierarchyLevel() {
        String name = unique("leveled");
        Component component = uniqueComponent();
        component.metrics().createGauge(name, "h", NO_LABELS);

        String message = rejected(() -> component.endpoint("ep").metrics().createGauge(name, "h", NO_LABELS));

        assertTrue(message.contains("already registered with label names"), message);
    }

    @Test
    void rejectsTheSameHistogramWithOtherBuckets() {
        String name = unique("rebucketed");
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();
        metrics.createHistogram(name, "h", NO_LABELS, Arrays.asList(1.0, 2.0));

        String message = rejected(() -> metrics.createHistogram(name, "h", NO_LABELS, Arrays.asList(1.0, 3.0)));

        assertTrue(message.contains("already exists with buckets [1.0, 2.0]"), message);
        assertEquals(3, Snapshots.samples(family(PREFIX + name), PREFIX + name + "_bucket").size());
    }

    @Test
    void rejectsAGaugeNamedLikeTheCountOfAnEarlierHistogram() {
        String name = unique("latency");
        runtimeMetrics().createHistogram(name, "h", NO_LABELS, null);

        String message = rejected(() -> runtimeMetrics().createGauge(name + "_count", "h", NO_LABELS));

        assertTrue(message.contains("would expose '" + PREFIX + name + "_count', which metric '" + PREFIX + name
                + "' already exposes"), message);
        assertNull(findFamily(PREFIX + name + "_count"));
    }

    @Test
    void rejectsAHistogramWhoseSamplesAnEarlierGaugeExposes() {
        String name = unique("latency");
        runtimeMetrics().createGauge(name + "_sum", "h", NO_LABELS);

        String message = rejected(() -> runtimeMetrics().createHistogram(name, "h", NO_LABELS, null));

        assertTrue(message.contains("would expose '" + PREFIX + name + "_sum'"), message);
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void rejectsAGaugeNamedLikeTheTotalOfAnEarlierCounter() {
        String name = unique("served");
        runtimeMetrics().createCounter(name, "h", NO_LABELS);

        String message = rejected(() -> runtimeMetrics().createIntGauge(name + "_total", "h", NO_LABELS));

        assertTrue(message.contains("would expose '" + PREFIX + name + "_total'"), message);
    }

    @Test
    void rejectsACounterWhoseTotalAnEarlierGaugeExposes() {
        String name = unique("served");
        runtimeMetrics().createGauge(name + "_total", "h", NO_LABELS);

        String message = rejected(() -> runtimeMetrics().createCounter(name, "h", NO_LABELS));

        assertTrue(message.contains("would expose '" + PREFIX + name + "_total'"), message);
    }

    @Test
    void rejectsAGaugeNamedLikeTheCreationTimeOfAnEarlierCounterOrHistogramAndTheReverse() {
        String counter = unique("served");
        runtimeMetrics().createCounter(counter, "h", NO_LABELS);
        String afterCounter = rejected(() -> runtimeMetrics().createGauge(counter + "_created", "h", NO_LABELS));
        assertTrue(afterCounter.contains("would expose '" + PREFIX + counter + "_created'")
                && afterCounter.contains("OpenMetrics reserves _created"), afterCounter);

        String histogram = unique("latency");
        runtimeMetrics().createGauge(histogram + "_created", "h", NO_LABELS);
        String beforeHistogram = rejected(() -> runtimeMetrics().createHistogram(histogram, "h", NO_LABELS, null));
        assertTrue(beforeHistogram.contains("would expose '" + PREFIX + histogram + "_created'"), beforeHistogram);
        assertNull(findFamily(PREFIX + histogram));
    }

    @Test
    void leavesNothingBehindWhenAValidationFails() {
        String name = unique("retried");
        MetricsRegistry metrics = uniqueComponent().endpoint("ep").metrics();

        assertThrows(IllegalArgumentException.class,
                () -> metrics.createHistogram(name, "Retried", map("le", "1"), null));
        assertNull(findFamily(PREFIX + name));

        metrics.createGauge(name, "Retried as gauge", NO_LABELS).set(7);
        FamilySnapshot family = family(PREFIX + name);
        assertEquals(MetricType.Exposition.GAUGE, family.type());
        assertEquals(1, family.samples().size());
        assertEquals(7.0, family.samples().get(0).value());
    }

    @Test
    void leavesNoSampleNamesClaimedWhenASampleNameClashes() {
        String name = unique("clash");
        runtimeMetrics().createGauge(name + "_count", "h", NO_LABELS);

        assertThrows(IllegalArgumentException.class,
                () -> runtimeMetrics().createHistogram(name, "h", NO_LABELS, null));

        // Had the histogram claimed its names, these would clash with it.
        runtimeMetrics().createGauge(name + "_bucket", "h", NO_LABELS);
        runtimeMetrics().createGauge(name, "h", NO_LABELS);
        assertNotNull(findFamily(PREFIX + name + "_bucket"));
        assertEquals(MetricType.Exposition.GAUGE, family(PREFIX + name).type());
    }

    @Test
    void leavesTheFamilyUnchangedWhenAConflictingCreationFails() {
        String name = unique("conflicted");
        Component component = uniqueComponent();
        Counter counter = component.endpoint("a").metrics().createCounter(name, "h", NO_LABELS);
        counter.inc();

        assertThrows(IllegalArgumentException.class,
                () -> component.endpoint("b").metrics().createCounter(name, "other help", NO_LABELS));
        assertThrows(IllegalArgumentException.class,
                () -> component.endpoint("c").metrics().createGauge(name, "h", NO_LABELS));

        FamilySnapshot family = family(PREFIX + name);
        assertEquals(1, family.samples().size());
        assertEquals("a", Snapshots.labels(family.samples().get(0)).get("dynamo_endpoint"));
        assertSame(counter, component.endpoint("a").metrics().createCounter(name, "h", NO_LABELS));
        component.endpoint("b").metrics().createCounter(name, "h", NO_LABELS);
        assertEquals(2, family(PREFIX + name).samples().size());
    }

    @Test
    void snapshotsFamiliesInCreationOrder() {
        String first = unique("first");
        String second = unique("second");
        runtimeMetrics().createGauge(first, "h", NO_LABELS);
        runtimeMetrics().createGauge(second, "h", NO_LABELS);

        List<String> names = new ArrayList<String>();
        for (FamilySnapshot family : MetricStore.global().snapshot()) {
            names.add(family.name());
        }
        assertTrue(names.indexOf(PREFIX + first) >= 0);
        assertTrue(names.indexOf(PREFIX + first) < names.indexOf(PREFIX + second), names.toString());
    }

    /**
     * A family created later is read first: here reading the later one counts one more of the earlier
     * one, as a call ending between the reads of its family's counters would. Read oldest first, the
     * page showed the total below its part.
     */
    @Test
    void readsTheFamiliesCreatedLaterFirstSoATotalIsNeverBelowItsParts() {
        MetricStore store = new MetricStore();
        ScopedMetricsRegistry metrics = new ScopedMetricsRegistry(store, Collections.<String>emptyList());
        final Counter total = metrics.createCounter("calls", "every call", NO_LABELS);
        final Counter part = metrics.createCounter("failed_calls", "calls that failed", NO_LABELS);
        // Computed while the page is read (not before, as the application's callbacks are).
        metrics.createCallbackGauge("between_reads", "a call ends while the page is read", () -> {
            total.inc();
            part.inc();
            return 0;
        });

        List<FamilySnapshot> page = store.snapshot();

        double totalRead = findFamily(page, PREFIX + "calls").samples().get(0).value();
        double partRead = findFamily(page, PREFIX + "failed_calls").samples().get(0).value();
        assertEquals(1.0, totalRead);
        assertEquals(1.0, partRead);
        List<String> order = new ArrayList<String>();
        for (FamilySnapshot family : page) {
            order.add(family.name());
        }
        assertEquals(Arrays.asList(PREFIX + "calls", PREFIX + "failed_calls", PREFIX + "between_reads"), order,
                "still shown in creation order");
    }

    @Test
    void keepsStoresApart() {
        MetricStore store = new MetricStore();
        String name = unique("private_store");
        new ScopedMetricsRegistry(store, Collections.<String>emptyList()).createGauge(name, "h", NO_LABELS);

        assertNotNull(findFamily(store.snapshot(), PREFIX + name));
        assertNull(findFamily(PREFIX + name));
    }
}
