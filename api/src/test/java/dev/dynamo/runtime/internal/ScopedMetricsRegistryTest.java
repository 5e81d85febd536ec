package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.Endpoint;
import dev.dynamo.runtime.Namespace;
import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.dynamo.runtime.internal.Snapshots.family;
import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.labels;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static dev.dynamo.runtime.internal.Snapshots.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopedMetricsRegistryTest {
    private static final String PREFIX = "dynamo_component_";
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    private static MetricsRegistry runtimeMetrics() {
        return DistributedRuntime.get().metrics();
    }

    private static Endpoint uniqueEndpoint() {
        return DistributedRuntime.get().namespace(unique("ns")).component("comp").endpoint("ep");
    }

    private static IllegalArgumentException rejects(Executable creation) {
        return assertThrows(IllegalArgumentException.class, creation);
    }

    // Names

    @Test
    void prefixesEveryMetricNameWithDynamoComponent() {
        String name = unique("queue_depth");
        runtimeMetrics().createGauge(name, "Queue depth", NO_LABELS).set(3);

        assertEquals(3.0, sample(family(PREFIX + name), PREFIX + name, NO_LABELS).value());
    }

    @Test
    void doesNotDeduplicateThePrefix() {
        String name = unique("x");
        runtimeMetrics().createGauge("dynamo_component_" + name, "Prefixed twice", NO_LABELS);

        assertNotNull(findFamily("dynamo_component_dynamo_component_" + name));
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void sanitizesTheMetricName() {
        String suffix = unique("");
        runtimeMetrics().createGauge("my.metric-name@" + suffix, "Sanitized", NO_LABELS);

        assertNotNull(findFamily(PREFIX + "my_metric_name_" + suffix));
    }

    @Test
    void rejectsAMetricNameWithoutValidCharacters() {
        IllegalArgumentException error = rejects(() -> runtimeMetrics().createGauge("@#$%", "Bad", NO_LABELS));

        assertTrue(error.getMessage().startsWith("Input '@#$%' contains only invalid characters and cannot be"
                + " sanitized into a valid Prometheus name"), error.getMessage());
    }

    @Test
    void rejectsAnEmptyMetricName() {
        IllegalArgumentException error = rejects(() -> runtimeMetrics().createCounter("", "Bad", NO_LABELS));

        assertTrue(error.getMessage().startsWith("Cannot sanitize empty string into valid Prometheus name"),
                error.getMessage());
    }

    @Test
    void rejectsAnEmptyOrNullHelpText() {
        String name = unique("helpless");
        assertTrue(rejects(() -> runtimeMetrics().createGauge(name, " ", NO_LABELS)).getMessage()
                .contains("Help text"));
        rejects(() -> runtimeMetrics().createGauge(name, null, NO_LABELS));

        assertNull(findFamily(PREFIX + name));
    }

    // Counters and _total

    @Test
    void exposesACounterCreatedWithoutTotalWithTheTotalSuffix() {
        String name = unique("requests");
        runtimeMetrics().createCounter(name, "Requests", NO_LABELS).inc();

        FamilySnapshot family = family(PREFIX + name);
        assertEquals(MetricType.Exposition.COUNTER, family.type());
        assertEquals(1, family.samples().size());
        assertEquals(PREFIX + name + "_total", family.samples().get(0).name());
        assertEquals(1.0, family.samples().get(0).value());
    }

    @Test
    void exposesACounterCreatedWithTotalWithOneTotalSuffix() {
        String name = unique("requests");
        runtimeMetrics().createCounter(name + "_total", "Requests", NO_LABELS).inc(2);

        FamilySnapshot family = family(PREFIX + name);
        assertEquals(1, family.samples().size());
        assertEquals(PREFIX + name + "_total", family.samples().get(0).name());
        assertNull(findFamily(PREFIX + name + "_total"));
    }

    /**
     * A sample ending in {@code _total_total} went out with its type and help under a name without samples,
     * because Prometheus's Java clients take {@code _total} off a counter family's name once more (a re-tester:
     * promtool said "no help text", and Prometheus's metadata had none for the series). Every counter kind is
     * refused with a name to use; a gauge may end in {@code _total}.
     */
    @Test
    void rejectsEveryCounterKindWhoseNameEndsInTotalTwice() {
        MetricsRegistry metrics = uniqueEndpoint().metrics();
        List<Executable> creations = Arrays.asList(
            () -> metrics.createCounter("jobs_total_total", "Jobs", NO_LABELS),
            () -> metrics.createIntCounter("jobs_total_total", "Jobs", NO_LABELS),
            () -> metrics.createCounterVec("jobs_total_total", "Jobs", Arrays.asList("k"), NO_LABELS),
            () -> metrics.createIntCounterVec("jobs_total_total", "Jobs", Arrays.asList("k"), NO_LABELS),
            () -> metrics.createCounterWithCallback("jobs_total_total", "Jobs", NO_LABELS, () -> 1));
        for (Executable creation : creations) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, creation);
            assertEquals("Counter name 'jobs_total_total' would be exposed as 'dynamo_component_jobs_total_total';"
                    + " a counter's sample gets one _total, and a name ending in it twice loses its type and help in"
                    + " Prometheus's Java exposition; name it 'jobs' or 'jobs_total' (exposed as"
                    + " 'dynamo_component_jobs_total')", error.getMessage());
        }
        assertTrue(rejects(() -> metrics.createIntCounter("total_total", "Totals", NO_LABELS)).getMessage()
                .endsWith("; name it for what it counts, e.g. 'requests' (exposed as 'dynamo_component_requests_total')"));
        assertNull(findFamily(PREFIX + "jobs_total"));
        assertNull(findFamily(PREFIX + "jobs"));
        String gauge = unique("gauge") + "_total";
        metrics.createGauge(gauge, "A gauge may end in _total", NO_LABELS);
        assertNotNull(findFamily(PREFIX + gauge));
    }

    @Test
    void treatsACounterCreatedWithAndWithoutTotalAsTheSameMetric() {
        String name = unique("requests");
        Counter plain = runtimeMetrics().createCounter(name, "Requests", NO_LABELS);
        Counter suffixed = runtimeMetrics().createCounter(name + "_total", "Requests", NO_LABELS);

        assertSame(plain, suffixed);
    }

    @Test
    void exposesEveryCounterTypeWithTheTotalSuffixAndNoCreatedSeries() {
        Endpoint endpoint = uniqueEndpoint();
        MetricsRegistry metrics = endpoint.metrics();
        metrics.createCounter("double_counter", "Double", NO_LABELS).inc();
        metrics.createIntCounter("int_counter_total", "Int", NO_LABELS).inc();
        metrics.createCounterVec("double_counter_vec", "Double vec", Arrays.asList("k"), NO_LABELS)
                .withLabelValues("v").inc();
        metrics.createIntCounterVec("int_counter_vec_total", "Int vec", Arrays.asList("k"), NO_LABELS)
                .withLabelValues("v").inc();

        for (String name : Arrays.asList("double_counter", "int_counter", "double_counter_vec", "int_counter_vec")) {
            FamilySnapshot family = family(PREFIX + name);
            Sample sample = sample(family, PREFIX + name + "_total", metricsLabels(endpoint, name));
            assertEquals(1.0, sample.value(), name);
            for (Sample any : family.samples()) {
                assertFalse(any.name().endsWith("_created"), any.toString());
                assertTrue(any.name().endsWith("_total"), any.toString());
            }
        }
    }

    private static Map<String, String> metricsLabels(Endpoint endpoint, String name) {
        Map<String, String> labels = new LinkedHashMap<String, String>(endpoint.metrics().getAutoLabels());
        if (name.endsWith("_vec")) {
            labels.put("k", "v");
        }
        return labels;
    }

    // Automatic labels

    @Test
    void addsNoAutomaticLabelsAtTheRuntimeLevel() {
        String name = unique("runtime_gauge");
        runtimeMetrics().createGauge(name, "Runtime level", NO_LABELS).set(1);

        assertEquals(NO_LABELS, runtimeMetrics().getAutoLabels());
        assertEquals(NO_LABELS, labels(family(PREFIX + name).samples().get(0)));
    }

    @Test
    void addsOnlyTheNamespaceLabelAtTheNamespaceLevel() {
        String ns = unique("ns");
        MetricsRegistry metrics = DistributedRuntime.get().namespace(ns).metrics();
        metrics.createGauge("ns_level", "Namespace level", NO_LABELS);

        assertEquals(map("dynamo_namespace", ns), metrics.getAutoLabels());
        sample(family(PREFIX + "ns_level"), PREFIX + "ns_level", map("dynamo_namespace", ns));
    }

    @Test
    void addsNamespaceAndComponentLabelsAtTheComponentLevel() {
        String ns = unique("ns");
        MetricsRegistry metrics = DistributedRuntime.get().namespace(ns).component("comp").metrics();
        metrics.createGauge("component_level", "Component level", NO_LABELS);

        Map<String, String> expected = map("dynamo_namespace", ns, "dynamo_component", "comp");
        assertEquals(expected, metrics.getAutoLabels());
        sample(family(PREFIX + "component_level"), PREFIX + "component_level", expected);
    }

    @Test
    void addsAllThreeLabelsInHierarchyOrderAtTheEndpointLevel() {
        String ns = unique("ns");
        MetricsRegistry metrics = DistributedRuntime.get().namespace(ns).component("comp").endpoint("ep").metrics();
        metrics.createGauge("endpoint_level", "Endpoint level", NO_LABELS);

        Map<String, String> expected = map("dynamo_namespace", ns, "dynamo_component", "comp",
                "dynamo_endpoint", "ep");
        assertEquals(new ArrayList<String>(expected.keySet()), new ArrayList<String>(metrics.getAutoLabels().keySet()));
        Sample sample = sample(family(PREFIX + "endpoint_level"), PREFIX + "endpoint_level", expected);
        assertEquals(Arrays.asList("dynamo_namespace", "dynamo_component", "dynamo_endpoint"), sample.labelNames());
    }

    @Test
    void labelsOnlyTheFirstThreeLevelsOfNestedNamespaces() {
        String outer = unique("outer");
        Namespace inner = DistributedRuntime.get().namespace(outer).namespace("inner");

        assertEquals(map("dynamo_namespace", outer, "dynamo_component", "inner"), inner.metrics().getAutoLabels());
        MetricsRegistry deep = inner.namespace("third").component("comp").endpoint("ep").metrics();
        assertEquals(map("dynamo_namespace", outer, "dynamo_component", "inner", "dynamo_endpoint", "third"),
                deep.getAutoLabels());

        deep.createGauge("deep_gauge", "Five levels down", NO_LABELS).set(5);
        Sample sample = sample(family(PREFIX + "deep_gauge"), PREFIX + "deep_gauge",
                map("dynamo_namespace", outer, "dynamo_component", "inner", "dynamo_endpoint", "third"));
        assertEquals(5.0, sample.value());
    }

    @Test
    void sanitizesHierarchyNamesIntoLabelValues() {
        String ns = unique("test-namespace");
        MetricsRegistry metrics = DistributedRuntime.get().namespace(ns).component("test-component")
                .endpoint("my.endpoint").metrics();

        assertEquals(map("dynamo_namespace", ns.replace('-', '_'), "dynamo_component", "test_component",
                "dynamo_endpoint", "my_endpoint"), metrics.getAutoLabels());
    }

    @Test
    void putsConstantLabelsSortedAfterTheAutomaticOnesAndVariableLabelsLast() {
        Endpoint endpoint = uniqueEndpoint();
        Map<String, String> constLabels = map("zone", "eu", "model", "llama");
        endpoint.metrics().createCounterVec("ordered_labels", "Label order", Arrays.asList("size", "gpu"), constLabels)
                .withLabelValues("7b", "a100").inc();

        Map<String, String> expected = new LinkedHashMap<String, String>(endpoint.metrics().getAutoLabels());
        expected.putAll(map("model", "llama", "zone", "eu", "size", "7b", "gpu", "a100"));
        Sample sample = sample(family(PREFIX + "ordered_labels"), PREFIX + "ordered_labels_total", expected);
        assertEquals(new ArrayList<String>(expected.keySet()), sample.labelNames());
        assertEquals(new ArrayList<String>(expected.values()), sample.labelValues());
    }

    // Label validation

    @ParameterizedTest
    @ValueSource(strings = {"dynamo_namespace", "dynamo_component", "dynamo_endpoint"})
    void rejectsAnAutomaticLabelAsConstantLabel(String label) {
        String name = unique("auto_const");
        IllegalArgumentException error = rejects(
                () -> uniqueEndpoint().metrics().createCounter(name, "Auto", map(label, "mine")));

        assertEquals("Label '" + label + "' is automatically added by auto_label feature and cannot be manually set",
                error.getMessage());
        assertNull(findFamily(PREFIX + name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dynamo_namespace", "dynamo_component", "dynamo_endpoint"})
    void rejectsAnAutomaticLabelAsVariableLabel(String label) {
        String name = unique("auto_vec");
        IllegalArgumentException error = rejects(() -> uniqueEndpoint().metrics()
                .createGaugeVec(name, "Auto", Arrays.asList("model", label), NO_LABELS));

        assertEquals("Label '" + label + "' is automatically added by auto_label feature and cannot be manually set",
                error.getMessage());
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void rejectsAnAutomaticLabelEvenWhereThatLevelIsNotLabelled() {
        IllegalArgumentException error = rejects(() -> runtimeMetrics()
                .createCounter(unique("auto_runtime"), "Auto", map("dynamo_endpoint", "mine")));

        assertEquals("Label 'dynamo_endpoint' is automatically added by auto_label feature and cannot be manually set",
                error.getMessage());
    }

    @Test
    void rejectsAVariableLabelThatIsAlsoAConstantLabel() {
        String name = unique("dup");
        IllegalArgumentException error = rejects(() -> uniqueEndpoint().metrics()
                .createCounterVec(name, "Dup", Arrays.asList("k"), map("k", "v")));

        assertEquals("Duplicate label key 'k' found in labels", error.getMessage());
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void rejectsARepeatedVariableLabel() {
        String name = unique("dup");
        IllegalArgumentException error = rejects(() -> uniqueEndpoint().metrics()
                .createHistogramVec(name, "Dup", Arrays.asList("k", "j", "k"), NO_LABELS, null));

        assertEquals("Duplicate label key 'k' found in labels", error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad-name", "__reserved", "1abc", "", "with space", "colon:label"})
    void rejectsAnInvalidConstantLabelName(String label) {
        String name = unique("bad_label");
        IllegalArgumentException error = rejects(
                () -> uniqueEndpoint().metrics().createGauge(name, "Bad label", map(label, "v")));

        assertTrue(error.getMessage().startsWith("Invalid label name '" + label + "'"), error.getMessage());
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void rejectsAnInvalidVariableLabelNameAndSuggestsASanitizedOne() {
        IllegalArgumentException error = rejects(() -> uniqueEndpoint().metrics()
                .createIntCounterVec(unique("bad_label"), "Bad", Arrays.asList("model-name"), NO_LABELS));

        assertTrue(error.getMessage().startsWith("Invalid label name 'model-name'"), error.getMessage());
        assertTrue(error.getMessage().contains("'model_name'"), error.getMessage());
    }

    @Test
    void neverSuggestsALabelNameItWouldRejectItself() {
        IllegalArgumentException error = rejects(() -> uniqueEndpoint().metrics()
                .createGauge(unique("bad_label"), "Bad", map("___x", "v")));

        assertTrue(error.getMessage().contains("for example '_x'"), error.getMessage());
        assertNotNull(uniqueEndpoint().metrics().createGauge(unique("good_label"), "Good", map("_x", "v")));
    }

    @Test
    void rejectsNullLabelNamesAndValues() {
        MetricsRegistry metrics = uniqueEndpoint().metrics();
        Map<String, String> nullKey = new HashMap<String, String>();
        nullKey.put(null, "v");
        Map<String, String> nullValue = new HashMap<String, String>();
        nullValue.put("k", null);
        String name = unique("nulls");

        assertTrue(rejects(() -> metrics.createGauge(name, "Nulls", nullKey)).getMessage().contains("null"));
        assertTrue(rejects(() -> metrics.createGauge(name, "Nulls", nullValue)).getMessage().contains("'k' is null"));
        assertTrue(rejects(() -> metrics.createGaugeVec(name, "Nulls", Arrays.asList("a", null), NO_LABELS))
                .getMessage().contains("null"));
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void acceptsNullConstantLabelsAsNone() {
        String name = unique("null_const");
        uniqueEndpoint().metrics().createIntGauge(name, "No constant labels", null).set(2);

        assertEquals(3, family(PREFIX + name).samples().get(0).labelNames().size());
    }

    @Test
    void rejectsLeAsAHistogramLabel() {
        String name = unique("le_hist");
        MetricsRegistry metrics = uniqueEndpoint().metrics();

        IllegalArgumentException constant = rejects(() -> metrics.createHistogram(name, "Le", map("le", "1"), null));
        IllegalArgumentException variable = rejects(
                () -> metrics.createHistogramVec(name, "Le", Arrays.asList("le"), NO_LABELS, null));

        assertTrue(constant.getMessage().startsWith("Label 'le' is reserved"), constant.getMessage());
        assertTrue(variable.getMessage().startsWith("Label 'le' is reserved"), variable.getMessage());
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void acceptsLeAsALabelOfOtherMetricTypes() {
        String name = unique("le_gauge");
        uniqueEndpoint().metrics().createGaugeVec(name, "Le on a gauge", Arrays.asList("le"), NO_LABELS)
                .withLabelValues("x").set(1);

        assertEquals("le", family(PREFIX + name).samples().get(0).labelNames().get(3));
    }

    @Test
    void rejectsAVecWithoutLabelNames() {
        String name = unique("no_labels");
        MetricsRegistry metrics = uniqueEndpoint().metrics();

        IllegalArgumentException empty = rejects(
                () -> metrics.createCounterVec(name, "No labels", Collections.<String>emptyList(), NO_LABELS));
        rejects(() -> metrics.createGaugeVec(name, "No labels", null, NO_LABELS));

        assertTrue(empty.getMessage().contains("needs at least one label name"), empty.getMessage());
        assertTrue(empty.getMessage().contains("createCounter"), empty.getMessage());
    }

    // Buckets

    @Test
    void usesTheDefaultBucketsWhenBucketsAreNull() {
        String name = unique("default_buckets");
        Histogram histogram = uniqueEndpoint().metrics().createHistogram(name, "Default buckets", NO_LABELS, null);

        List<Double> expected = Arrays.asList(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);
        assertEquals(expected, histogram.getBuckets());
        assertEquals(expected, MetricsRegistry.DEFAULT_BUCKETS);
        List<String> les = new ArrayList<String>();
        for (Sample sample : Snapshots.samples(family(PREFIX + name), PREFIX + name + "_bucket")) {
            les.add(labels(sample).get("le"));
        }
        assertEquals(Arrays.asList("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0",
                "+Inf"), les);
    }

    @Test
    void usesTheDefaultBucketsForAHistogramVecWhenBucketsAreNull() {
        Histogram child = uniqueEndpoint().metrics()
                .createHistogramVec(unique("default_buckets_vec"), "Default", Arrays.asList("k"), NO_LABELS, null)
                .withLabelValues("v");

        assertEquals(MetricsRegistry.DEFAULT_BUCKETS, child.getBuckets());
    }

    @Test
    void rejectsBucketsThatDoNotIncreaseStrictly() {
        MetricsRegistry metrics = uniqueEndpoint().metrics();
        String name = unique("bad_buckets");

        IllegalArgumentException equal = rejects(
                () -> metrics.createHistogram(name, "Bad", NO_LABELS, Arrays.asList(0.1, 1.0, 1.0)));
        IllegalArgumentException decreasing = rejects(
                () -> metrics.createHistogramVec(name, "Bad", Arrays.asList("k"), NO_LABELS, Arrays.asList(2.0, 1.0)));

        assertTrue(equal.getMessage().contains("strictly increasing"), equal.getMessage());
        assertTrue(decreasing.getMessage().contains("strictly increasing"), decreasing.getMessage());
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void rejectsBucketsThatAreNotFinite() {
        MetricsRegistry metrics = uniqueEndpoint().metrics();
        String name = unique("bad_buckets");

        for (Double bad : Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, null)) {
            IllegalArgumentException error = rejects(
                    () -> metrics.createHistogram(name, "Bad", NO_LABELS, Arrays.asList(0.1, bad)));
            assertTrue(error.getMessage().contains("is not a finite number"), error.getMessage());
        }
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void rejectsEmptyBuckets() {
        String name = unique("bad_buckets");
        IllegalArgumentException error = rejects(() -> uniqueEndpoint().metrics()
                .createHistogram(name, "Bad", NO_LABELS, Collections.<Double>emptyList()));

        assertTrue(error.getMessage().startsWith("Histogram buckets are empty"), error.getMessage());
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void keepsItsOwnCopyOfTheBuckets() {
        List<Double> buckets = new ArrayList<Double>(Arrays.asList(1.0, 2.0));
        Histogram histogram = uniqueEndpoint().metrics()
                .createHistogram(unique("copied_buckets"), "Copied", NO_LABELS, buckets);
        buckets.set(0, 1.5);

        assertEquals(Arrays.asList(1.0, 2.0), histogram.getBuckets());
    }

    // Prevalidated metrics: checked once, created at many places

    @Test
    void prevalidatedMetricIsTheOneItsCreateMethodMakesAtEachPlace() {
        String family = unique("prevalidated");
        String name = family + "_total";
        ScopedMetricsRegistry first = (ScopedMetricsRegistry) uniqueEndpoint().metrics();
        ScopedMetricsRegistry second = (ScopedMetricsRegistry) uniqueEndpoint().metrics();
        ScopedMetricsRegistry.Prevalidated counter = first.prevalidate(name, "Calls", MetricType.INT_COUNTER,
                null, null, false);

        dev.dynamo.runtime.metrics.IntCounter created = (dev.dynamo.runtime.metrics.IntCounter) second.create(counter);
        created.inc(4);

        assertSame(created, second.createIntCounter(name, "Calls", NO_LABELS));
        assertSame(created, second.create(counter));
        Map<String, String> secondLabels = second.getAutoLabels();
        assertEquals(4.0, sample(family(PREFIX + family), PREFIX + name, secondLabels).value());
        assertNotNull(first.create(counter));
        assertEquals(2, family(PREFIX + family).samples().size());
    }

    @Test
    void prevalidatedHistogramAndVecKeepTheirBucketsAndLabels() {
        String name = unique("prevalidated_seconds");
        ScopedMetricsRegistry metrics = (ScopedMetricsRegistry) uniqueEndpoint().metrics();
        List<Double> buckets = Arrays.asList(0.5, 1.0);
        Histogram histogram = (Histogram) metrics.create(metrics.prevalidate(name, "Time", MetricType.HISTOGRAM,
                null, buckets, false));
        histogram.observe(0.7);
        dev.dynamo.runtime.metrics.IntCounterVec errors = (dev.dynamo.runtime.metrics.IntCounterVec) metrics.create(
                metrics.prevalidate(name + "_errors", "Errors", MetricType.INT_COUNTER_VEC,
                        Collections.singletonList("error_type"), null, false));
        errors.withLabelValues("timeout").inc();

        assertEquals(buckets, histogram.getBuckets());
        assertSame(histogram, metrics.createHistogram(name, "Time", NO_LABELS, buckets));
        rejects(() -> metrics.createHistogram(name, "Time", NO_LABELS, Arrays.asList(0.5, 2.0)));
        Map<String, String> labels = new LinkedHashMap<String, String>(metrics.getAutoLabels());
        labels.put("error_type", "timeout");
        assertEquals(1.0, sample(family(PREFIX + name + "_errors"), PREFIX + name + "_errors_total", labels).value());
    }

    @Test
    void prevalidationChecksWhatItsCreateMethodChecks() {
        ScopedMetricsRegistry metrics = (ScopedMetricsRegistry) uniqueEndpoint().metrics();

        IllegalArgumentException emptyHelp = rejects(() -> metrics.prevalidate(unique("no_help"), " ",
                MetricType.INT_COUNTER, null, null, false));
        IllegalArgumentException noLabels = rejects(() -> metrics.prevalidate(unique("no_labels"), "Vec",
                MetricType.INT_COUNTER_VEC, null, null, false));
        IllegalArgumentException callback = rejects(() -> metrics.prevalidate(unique("computed"), "Computed",
                MetricType.GAUGE_WITH_CALLBACK, null, null, false));

        assertTrue(emptyHelp.getMessage().contains("Help text"), emptyHelp.getMessage());
        assertTrue(noLabels.getMessage().contains("needs at least one label name"), noLabels.getMessage());
        assertTrue(callback.getMessage().contains("created with its callback"), callback.getMessage());
    }

    @Test
    void prevalidatedMetricIsRefusedAtAPlaceOfAnotherDepth() {
        String name = unique("depth");
        ScopedMetricsRegistry endpoint = (ScopedMetricsRegistry) uniqueEndpoint().metrics();
        ScopedMetricsRegistry.Prevalidated counter = endpoint.prevalidate(name, "Calls", MetricType.INT_COUNTER,
                null, null, false);
        ScopedMetricsRegistry namespace = (ScopedMetricsRegistry) DistributedRuntime.get().namespace(unique("ns"))
                .metrics();

        IllegalArgumentException error = rejects(() -> namespace.create(counter));

        assertTrue(error.getMessage().contains("checked for places 3 levels deep"), error.getMessage());
        assertNull(findFamily(PREFIX + name));
    }

    @Test
    void prevalidatedMetricConflictingWithAnEarlierOneIsRefused() {
        String name = unique("conflict_total");
        ScopedMetricsRegistry metrics = (ScopedMetricsRegistry) uniqueEndpoint().metrics();
        metrics.createCounter(name, "Calls", NO_LABELS);
        ScopedMetricsRegistry.Prevalidated asInt = metrics.prevalidate(name, "Calls", MetricType.INT_COUNTER,
                null, null, false);

        IllegalArgumentException error = rejects(() -> metrics.create(asInt));

        assertTrue(error.getMessage().contains("already registered as Counter"), error.getMessage());
    }
}
